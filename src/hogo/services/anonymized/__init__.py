"""Anonymously processed information made from the ledger (APPI Arts. 43–46): creating
it, the register of creations and provisions, and the notice to a recipient."""
