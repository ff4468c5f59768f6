"""Benchmark harness: ``aid-pipeline bench --reports 100 --reports 1000 --json bench.json`` (``make bench``).

* ``corpus``: a deterministic synthetic inbox of N reports recombined from the seeds.
* ``text_bench``: the pure stage functions, chars/s per core, per stage, per t2s backend.
* ``run_bench``: the whole pipeline as a subprocess (wall, peak memory, non-text share, +1 report),
  the table and its JSON.
"""
