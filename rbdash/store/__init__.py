"""The version store: published workbooks, users and the audit log (SQLite and files today)."""
