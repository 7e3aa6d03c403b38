"""The policy as code: schema, loader, checks, rendering and diff of hogo.yaml."""
