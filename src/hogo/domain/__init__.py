"""Plain rules of personal-information protection: no I/O, no imports from the rest of hogo."""
