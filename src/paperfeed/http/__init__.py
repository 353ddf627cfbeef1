"""HTTP plumbing shared by the surfaces that answer requests (web pages, the JSON API, feeds, subscription
pages), below all of them:

- ``auth``: who is asking (sessions, API tokens, CSRF, login limits)
- ``bodylimit``: a 413 for a request body over ``request_max_bytes``, before or while it is read
- ``csrf``: a signed-out visitor's CSRF token, in a signed cookie of its own (not the session)
- ``cache``: the anonymous page cache, with ETags; ``TaggedAnswers``: an ETag on every JSON API answer
- ``errors``: an error as its client reads it: JSON, plain text for feed readers (pages render theirs)
- ``headers``: security headers on every response; cross-origin reads of the API and feeds
- ``head``: ``HEAD`` of every ``GET`` route (headers, no body)
- ``observe``: a request id, an access log line and metrics for every request
- ``ratelimit``: the per-client rate limit of anonymous work
- ``params``: id parameters checked at the edge
- ``openapi``: the statuses and media types each route answers, for ``/openapi.json``
- ``uploads``: reading uploaded files and pasted text
- ``slashes``: one spelling of each path (``/trending/`` is a 301 to ``/trending``)
- ``static``: the ``/static`` files, with how long browsers keep them

Nothing here renders a page or knows a route.
"""
