"""The root command group: ``postcheck draft.txt`` runs ``check``, and every
error becomes one line on stderr and postcheck's exit code (DESIGN §2), never a
traceback. Only Typer is imported here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from postcheck.errors import EXIT_INTERNAL, EXIT_PASS, EXIT_USAGE, PostcheckError, UsageError

_GROUP_OPTIONS = {"--help", "-h", "--version", "-V", "--install-completion", "--show-completion"}


class DefaultCommandGroup(TyperGroup):
    """Routes ``postcheck draft.txt`` to ``postcheck check draft.txt`` and maps
    errors onto postcheck's exit codes (usage errors are 64, not Click's 2)."""

    default_command = "check"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in _GROUP_OPTIONS:
            first = args[0]
            looks_like_command = first.isidentifier() and not Path(first).exists()
            if looks_like_command:
                commands = ", ".join(self.commands)
                raise UsageError(
                    f"no such command or file: {first!r}",
                    hint=f"commands: {commands}; to check a file, give its name with its extension",
                )
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def main(self, args: Any = None, prog_name: str | None = None, *a: Any, **kw: Any) -> Any:
        standalone = kw.pop("standalone_mode", True)
        code = run_guarded(
            lambda: super(DefaultCommandGroup, self).main(
                args, prog_name or "postcheck", *a, standalone_mode=False, **kw
            )
        )
        if standalone:
            sys.exit(code)
        return code


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def error_line(message: str, hint: str | None = None) -> None:
    from postcheck.display import markup_safe

    console = err_console()
    console.print(f"[bold red]postcheck: error:[/] {markup_safe(message)}", markup=True, soft_wrap=True)
    if hint:
        console.print(f"  {markup_safe(hint)}", soft_wrap=True)


def run_guarded(fn: Any) -> int:
    """Run a command; turn every exception into a one-line message and an exit code."""
    from typer._click import exceptions as click_exc

    try:
        rv = fn()
    except click_exc.NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_USAGE
    except click_exc.UsageError as exc:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
        return EXIT_USAGE
    except click_exc.ClickException as exc:
        error_line(exc.format_message())
        return EXIT_USAGE
    except typer.Abort:
        error_line("aborted")
        return 130
    except PostcheckError as exc:
        error_line(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_PASS
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        error_line(
            f"internal error: {exc.__class__.__name__}: {exc}",
            "This is a bug in postcheck. Please report it with the command you ran and this "
            "message (set POSTCHECK_DEBUG=1 to see the details).",
        )
        if os.environ.get("POSTCHECK_DEBUG"):
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL
    if isinstance(rv, int):
        return rv
    return EXIT_PASS
