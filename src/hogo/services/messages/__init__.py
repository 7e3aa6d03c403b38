"""Message templates, one per kind and language: `<lang>/<kind>.txt.j2`.

The first line of a template is `Subject: …`, then a blank line, then the body. Japanese
templates are written as a Japanese company writes to a customer, not translated.
"""
