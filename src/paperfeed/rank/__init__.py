"""Ranking: every ranker returns scored paper ids (with reasons where it can say why).

- ``trending``: time-decayed community upvotes (docs/trending.md)
- ``search``: hybrid lexical + semantic search; ``fusion``: how the two rankings are fused
- ``similar``: papers like a given paper; ``facets``: ... in its background, method or result only
- ``recommend``: "for you" (docs/recommend.md); ``usermodel``: the per-user model it trains
- ``topics``: topic maps: layout, clusters and their labels (docs/topics.md)
- ``sorts``: the names of the orders a search or a list is asked for, the same on every surface
"""
