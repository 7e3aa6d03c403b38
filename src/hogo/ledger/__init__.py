"""Persistence: tables, engine, encryption of values, the audit chain. Imports only the domain."""
