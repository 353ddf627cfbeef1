"""Sources: each module turns one format into ``PaperRecord``s and knows nothing of the database.

- ``files``: JSONL/JSON, CSV, BibTeX and saved-page text files (plain or gzipped)
- ``library``: reference-manager exports (BibTeX, Zotero RDF, CSL-JSON, arXiv id lists) for library import
- ``arxiv_api``: the arXiv query API (Atom), paged and resumable
- ``oai``: arXiv OAI-PMH bulk harvest (resumptionToken)
- ``rss``: arXiv's daily RSS listing (new + cross-lists)
- ``hf``: the Hugging Face daily-papers API
- ``base``: the item and page types and the record check every source shares
- ``http``: the one polite HTTP client (delay, retries with backoff) network sources fetch through

File readers yield ``PaperRecord | RecordError`` items; network sources yield ``Page``s that carry the
cursor to resume from once that page is stored.
"""
