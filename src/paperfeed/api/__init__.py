"""The JSON API under ``/api``, documented at ``/docs`` and ``/openapi.json``.

- ``routes``: the Hugging Face-compatible paper endpoints (daily papers, a paper, search, trending); it
  includes the others
- ``community``: votes, comments, collections, submissions (``actions``)
- ``account``: ``/api/account``: download your data, delete your account
- ``reports``: reporting a paper or a comment to the moderators
- ``foryou``: ``/api/for-you`` and ``/api/follows``
- ``library``: ``POST /api/library/import``
- ``similar``: ``/api/papers/{id}/similar``, as a whole or by facet
- ``schemas``: the request and response models; ``shape``: store views in Hugging Face's paper shape
"""
