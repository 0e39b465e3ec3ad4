import gc

gc.disable()  # before the imports too; feedlint.cli.main says why

from .cli import main  # noqa: E402

main()
