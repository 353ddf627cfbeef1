"""paperfeed: a self-hosted research-paper front page.

Data flows one way: sources -> store -> index -> rank -> surfaces (web, api, feeds, email, cli).
"""

__version__ = "0.1.0"
