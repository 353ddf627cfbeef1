"""Atom and RSS feeds (feedgen) of the daily list, trending, categories, authors and searches.

- ``routes``: ``/feeds/...``, advertised in each page's head
- ``build``: papers into a feed
"""
