"""The REST API (/api/v1): applications call the same services as the CLI."""
