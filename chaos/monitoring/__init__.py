"""Prometheus and Grafana, free of pytest: the API client, configurations for given targets,
the rules and dashboard of ``monitoring/`` read and evaluated.

- ``api``: ``PrometheusApi`` (query, query_range, targets, alerts)
- ``config``: ``ScrapeJob``, ``prometheus_config``
- ``series``: ``Series``, ``exact_increase`` (a counter's rise without extrapolation)
- ``rules``: alert names of a rules file, durations scaled for short test runs
- ``dashboard``: a Grafana dashboard's panel queries, with Grafana's variables filled in
"""
