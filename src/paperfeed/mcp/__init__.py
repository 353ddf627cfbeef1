"""The MCP server: paperfeed for AI assistants, over the Model Context Protocol (the official ``mcp`` SDK).

- ``server``: ``build(settings, store)``, the server: the SDK's, refusing unknown arguments, with the
  tools and resources below
- ``tools``: the tools (search, similar, paper, daily/weekly/monthly lists, trending; with a user's API
  token: for you, upvote, collections); ``resources``: the resources (a paper, a collection)
- ``backend``: what both reach: the store, the settings, the caller's user (their API token)
- ``shape``: papers and collections as the tools answer them
- ``transport``: stdin/stdout for ``paperfeed mcp``, and the ``/mcp`` route (streamable HTTP) that
  ``app.create_app`` adds

A surface like ``web`` and ``api``: it reads the store and the rankers and writes through ``actions``; the
command line reaches it through the composition root (``app.run_mcp_stdio``). Tools and setup: README.md,
"MCP server".
"""
