"""Atom and RSS feeds (feedgen) of the daily list, trending, categories, authors and searches."""
