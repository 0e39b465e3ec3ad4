"""Byte ranges: workers that read their own part of a plain JSON file, with the serial run's exact results.

* :mod:`.cut` -- where ranges begin (guesses at record starts, checked by the
  chain of ranges) and a reader positioned at a range's start; used by the
  process pool and by the Spark driver and tasks;
* :mod:`.pool` -- the process pool's main side (the chain check, shifting a
  range's relative numbers, pointers and positions into place) and worker side.

The exactness guarantee is the seam's: a range's worker checks with
``RecordCheck(place_known=False)``, so no rule can read a range-relative
``record.index``/``record.pointer`` (:class:`feedlint.api.PlaceUnknown`); a rule
that needs them declares ``reads_place`` and its files are not cut.  Measured
against the records path and why ranges are kept: docs/performance.md ("Cores").
"""
