"""The operator's HTTP surface: what load balancers and monitoring read (docs/operations.md).

- ``routes``: ``/healthz`` (the process answers), ``/readyz`` (database reachable, migrations current,
  search indexes open) and ``/metrics`` (Prometheus text format)
"""
