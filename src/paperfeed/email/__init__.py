"""Email digests and alerts: who gets what (``compose``), the message (``message``), the outbox and its
exactly-once delivery (``send``), signed links (``tokens``), the scheduler (``schedule``) and the pages
behind the links (``web``). docs/email.md tells the whole story.
"""
