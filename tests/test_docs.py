"""docs/rules.md is generated from the rule declarations and must not drift from them."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT
from feedlint.docs import anchor, generate, main
from feedlint.registry import load_catalogue

RULES_MD = ROOT / "docs" / "rules.md"


def test_rules_md_is_up_to_date():
    assert RULES_MD.read_text(encoding="utf-8") == generate(), "docs/rules.md is stale: run `make docs` (python -m feedlint.docs -o docs/rules.md)"


def test_every_rule_has_an_index_row_and_a_section_the_row_links_to():
    text = generate()
    rules = load_catalogue(plugins=False).rules
    assert rules
    headings = {anchor_of(h) for h in re.findall(r"^## (.+)$", text, re.M)}
    for r in rules:
        assert f"| [{r.id}](#{anchor(r)}) | `{r.name}` | {r.severity} |" in text
        assert f"\n## {r.id} {r.name}\n" in text
        assert anchor(r) in headings
        assert r.summary in text
        for o in r.options:
            at_least = f", at least {o.minimum:g}" if o.minimum is not None else ""
            assert f"  - {o.name} (default {o.default!r}{at_least}): " in text


def anchor_of(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def test_module_prints_exactly_the_file_make_docs_writes():
    proc = subprocess.run([sys.executable, "-m", "feedlint.docs"], capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == generate()


def test_check_option_reports_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "rules.md"
    stale.write_text(generate().replace("FL101", "FL199", 1), encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--check", str(tmp_path / "missing.md")]) == 1
    fresh = tmp_path / "fresh.md"
    assert main(["-o", str(fresh)]) == 0
    assert main(["--check", str(fresh)]) == 0
