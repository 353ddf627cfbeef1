"""Ranking: every ranker returns scored paper ids (with reasons where it can say why).

- ``trending``: time-decayed community upvotes
- ``search``: hybrid lexical + semantic search
- ``similar``: papers like a given paper
"""
