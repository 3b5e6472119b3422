"""Persistence and ingestion: the budget file format, the database and its read models.

Nothing in this package imports Flask: every function here can be called from a test, the CLI
or a web view alike.
"""
