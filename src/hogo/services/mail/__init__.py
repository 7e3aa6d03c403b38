"""Sending the outbox: the SMTP server from HOGO_SMTP_URL, the worker, and the outbox views.

- `smtp`: reading HOGO_SMTP_URL, building each message, talking to the server, and
  telling a refusal that will not change (5yz) from one that may (4yz, no answer);
- `worker`: claims due messages, sends them outside any transaction, marks them sent
  (and empties them) or schedules the next attempt, auditing each outcome;
- `views`: queueing a test message and listing the outbox without its contents.
"""
