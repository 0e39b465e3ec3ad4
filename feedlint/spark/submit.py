"""The file to give ``spark-submit``: runs the ``feedlint`` command line in the submitted driver.

    spark-submit --master spark://host:7077 "$(python -c 'import feedlint.spark.submit as m; print(m.__file__)')" \\
        check --engine spark /shared/exports/

``spark-submit`` runs a Python *file*, not a module, so this one imports the
package absolutely; the session spark-submit prepared (master, executors,
resources) is the one the run uses unless ``--spark-master`` says otherwise.
"""

from feedlint.cli import main

if __name__ == "__main__":
    main()
