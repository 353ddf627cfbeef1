"""HTTP plumbing shared by the surfaces that answer requests (web pages, the JSON API, feeds, subscription
pages), below all of them: who is asking (``auth``: sessions, API tokens, CSRF, login limits), the
anonymous page cache (``cache``), security headers on every response (``headers``), reading uploads
(``uploads``). Nothing here renders a page or knows a route.
"""
