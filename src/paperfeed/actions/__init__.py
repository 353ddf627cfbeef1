"""Actions below every surface: what a user does (vote, comment, submit, moderate: ``community``; keep
collections of papers: ``collections``; edit a comment: ``comment_edits``; download their data, delete
their account: ``accounts``; report a paper or a comment, work through the reports: ``reports``), taking
the store, the settings and the acting user, never a request. Web pages, the JSON API, the CLI and the MCP
server call these, so they behave alike."""
