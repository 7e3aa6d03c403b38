"""Use cases: the only layer the entry points (CLI, API, web) call."""
