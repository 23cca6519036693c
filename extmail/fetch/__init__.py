"""Fetching linked mailboxes: POP3 session, clamd scan, Maildir delivery (pure modules), and
runner.py, which puts them together with the database so nothing is lost or duplicated."""
