"""Stewardship: accounts and roles, sessions, the audit chain, authorisation policy and reminders.

The core of sign-in and authorisation; ``tsbkart.web`` renders it and never the other way round.
"""
