"""Backups of the database and their verified restore (``tsbkart backup``, ``tsbkart restore``)."""
