"""Officer pages of intake, one module per page group (channels, outbox, triage)."""
