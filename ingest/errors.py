"""The one exception a stage raises for a bad file; the pipeline turns it into a Failure."""

from __future__ import annotations


class IngestError(Exception):
    """A file (or a record in it) cannot be ingested; the message is the reason shown to the user.

    Stages raise it with a sentence a researcher can act on ("not valid UTF-8, UTF-16 or
    Windows-1252 text"), never a library's internal message alone.
    """


class NothingToIndex(IngestError):
    """The file holds nothing to index (a saved page that is only site boilerplate): reported
    as skipped, with the reason, rather than as a failure."""
