"""Both designs under the same load, on the same box, in the same run: the source report's
unfinished Phase 4 analysis as one command.

    python -m benchmarks.compare                       # the short run (under 10 minutes)
    python -m benchmarks.compare --preset full         # 1,000, 5,000 and 10,000 users

- ``designs``: the four designs (naive, reference, reference without the revocation check,
  the /health ceiling), each a service profile plus the flags it starts with
- ``runner``: one design at one load (its own Redis and workers, the crowd, CPU readings)
- ``cpu``: where the CPU went (workers, Redis, generator, the rest of the box)
- ``spy``: py-spy samples of the workers, grouped into components
- ``figures``: a run's figures, ratios and the issue's goals (pure)
- ``tables``, ``charts``: Markdown tables and SVG charts (pure)
- ``scaling``: throughput and CPU per request at 1..N workers, and the projection (pure math)
- ``report``: the report folder (index.md, index.html, figures.json, charts)
"""
