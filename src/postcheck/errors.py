"""Errors that reach the user as one clear line and a documented exit code."""

from __future__ import annotations

EXIT_PASS = 0
EXIT_WARN = 1
EXIT_BLOCK = 2
EXIT_USAGE = 64
EXIT_NO_INPUT = 66
EXIT_INTERNAL = 70
EXIT_CONFIG = 78

ISSUE_URL = "the postcheck maintainers (include the command and this message)"


class PostcheckError(Exception):
    """An error with a user-facing message and an exit code."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(PostcheckError):
    exit_code = EXIT_USAGE


class InputMissing(PostcheckError):
    exit_code = EXIT_NO_INPUT


class ConfigError(PostcheckError):
    """Bad TOML, an unknown key, a bad value, an unreadable or bad register."""

    exit_code = EXIT_CONFIG


class UnreadableInput(Exception):
    """An input that exists but cannot be read or decoded (becomes a finding)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unavailable(Exception):
    """An optional capability is missing, so a check could not run.

    ``what`` names what was not checked ("text in images"); ``hint`` says how
    to install it. The runner reports it and the post cannot pass.
    """

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"not checked: {what} ({hint})")
        self.what = what
        self.hint = hint
