"""The one base class for errors a user (a person or a client) can cause and should be told about.

Each error carries the HTTP status that describes it, so the web layer needs one handler: the API answers
``application/problem+json`` with that status, a page answers the HTML error page in the user's language.
The core raises these without knowing about HTTP beyond the number::

    class FilterError(UserError, ValueError):
        status = 422          # a query parameter has a value the vocabulary does not know

    raise NotFound("No unit has this id.")   # -> 404 page "Fant ikke siden" / problem+json on /api
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a missing thing, never a bug. ``status`` is the HTTP status that answers it."""

    status: int = 400

    @property
    def message(self) -> str:
        return str(self)


class NotFound(UserError):
    """No record, area, indicator or page has the requested id. The message is an English catalogue id."""

    status = 404
