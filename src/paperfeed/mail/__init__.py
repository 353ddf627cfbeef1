"""Mail: everything that makes and sends it, below the surfaces that trigger it (web pages, the CLI, the
scheduler): digests and alerts, who gets what (``compose``) and when (``due``), what each alert matches
(``alerts``), a digest's paper cards, subject and mail (``digest``); the message (``message``, from the
templates in ``templates/``); signed links in mails (``tokens``); the mails that are not digests
(``notices``: confirmations, the "already subscribed" note, an account address's confirmation, "your
password was changed"); password reset links (``resets``); the outbox's exactly-once SMTP delivery
(``send``). It imports no surface. docs/email.md tells the whole story.
"""
