"""Anonymous counts of signposting: what was searched for, where, what helped.

Counts only ever flow into this store (never back into listings or search). ``store`` owns
the tables and their migrations (SQLite by default, PostgreSQL for several servers),
``record`` the write side that must never slow or break a request, ``report`` the questions
link-worker teams and commissioners ask of the counts, with small numbers suppressed.
"""
