"""The one error family of incjournal and the exit codes, named in one place.

Domain code raises an `IncJournalError` subclass whose message tells the user what was wrong and
what to do; the CLI's single handler prints it as one line on stderr and exits with `exit_code`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CHECK_FAILED = 1  # `due`, `check`, `nudges`: the check ran and found something
    BAD_INPUT = 2  # usage errors and every bad input


class IncJournalError(Exception):
    """Base of every error a user can act on."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class NotAJournal(IncJournalError):
    pass


class NoIncident(IncJournalError):
    pass


class UnknownIncident(IncJournalError):
    pass


class EntryNotFound(IncJournalError):
    pass


class BadTime(IncJournalError):
    pass


class BadValue(IncJournalError):
    """An option or argument with a value the journal does not accept."""


class CorruptFile(IncJournalError):
    """A journal file that cannot be read; the message names the file."""


class NoAuthor(IncJournalError):
    pass


class GitError(IncJournalError):
    pass


class LockTimeout(IncJournalError):
    pass


class SecretFound(IncJournalError):
    pass


class NewerFormat(IncJournalError):
    """A file written by a newer incjournal: read where possible, never written to."""


class UnreadableEntry(UserWarning):
    """An entry file that could not be read, skipped by a view (`path:line: problem`)."""
