"""The web surface: server-rendered pages over the store (FastAPI + Jinja2, no JavaScript needed).

- ``pages``: the daily/weekly/monthly lists, trending, paper and author pages, search
- ``accounts``: sign up, log in and out, password change, profiles, API tokens
- ``password_reset``: "Forgot your password?": the form that mails a reset link, and the link's page
- ``community``: the forms of votes, comments, submissions, collections and moderation (``actions``)
- ``moderation``: readers' report forms; the admins' report queue and list of hidden things
- ``foryou``: the "for you" page, dismissals and follows
- ``subscriptions``: the subscribe form and the pages behind the links in mails
- ``account_email``: an account's address: changing it (with the password) and confirming it by mail
- ``topics``: keyword pages and topic maps
- ``library``: importing a reference-manager library
- ``crawlers``: ``/robots.txt`` and the sitemaps
- ``meta``: what pages tell crawlers and link previews: canonical URLs, a paper's JSON-LD
- ``render``: the one Jinja2 environment, the context every page gets, flash messages

Templates in ``templates/``, CSS and a little JavaScript in ``static/``; ``app.create_app`` mounts it all.
"""
