"""The JSON API: Hugging Face-compatible paper endpoints and paperfeed's own (``routes.router``)."""
