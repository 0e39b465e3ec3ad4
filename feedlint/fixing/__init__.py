"""Autofix: apply the rules' proposed fixes as minimal byte edits (``feedlint check --fix``).

* :mod:`.edits` re-encodes a changed JSON string value in the file's own
  escaping style and rewrites only the part of the literal that changed;
* :mod:`.located` ties a rule's fix to the exact place of its value;
* :mod:`.loop` applies, re-checks and repeats per record until stable;
* :mod:`.fixer` runs a record through the loop with as few checks as it can;
* :mod:`.inline` is ``check --fix`` on files: repair and report in one pass;
* :mod:`.files` splices the repaired records into the file and writes it atomically;
* :mod:`.patch` words the repairs as RFC 6902 JSON Patches, one per record.
"""
