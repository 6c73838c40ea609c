"""``postcheck demo``: check the bundled example school, on any system, without make.

The example school (``examples/oakfield`` in the repository) is shipped inside
the wheel as ``postcheck/examples/oakfield``; from a source checkout (an editable
install) the repository's own folder is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from postcheck.cli import FailOn, check
from postcheck.cli_options import FormatOpt, QuietOpt
from postcheck.errors import Unavailable

EXAMPLE = ("examples", "oakfield")


def example_folder() -> Path:
    """The example school's folder: in the installed package, else in the checkout."""
    here = Path(__file__).resolve().parent
    for folder in (here.joinpath(*EXAMPLE), here.parents[1].joinpath(*EXAMPLE)):
        if (folder / "postcheck.toml").is_file() and (folder / "posts").is_dir():
            return folder
    raise Unavailable("the demo", "the example school is missing from this installation; reinstall postcheck")


def _shown(folder: Path) -> Path:
    """``folder`` relative to the current folder when it is inside it (shorter report lines)."""
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder


def demo_command(
    fmt: FormatOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Check the example school that comes with postcheck (a fictional academy).

    Runs `postcheck check` on its batch of draft posts with its own config and
    register (`make demo` runs this command). Exit code 0 when it ran: the example
    posts are meant to give pass, warn and block verdicts.

    Example: postcheck demo --output demo.html
    """
    folder = _shown(example_folder())
    typer.echo(f"postcheck demo: checking the example school's posts in {folder / 'posts'}", err=True)
    try:
        check(
            [str(folder / "posts")],
            config=folder / "postcheck.toml",
            fmt=fmt,
            output=output,
            force=force,
            fail_on=FailOn.never,
            quiet=quiet,
        )
    except typer.Exit as done:  # --fail-on never: 0 whenever the posts were checked
        if done.exit_code != 0:
            raise
    typer.echo(
        "postcheck demo: done. The example posts are meant to give pass, warn and block verdicts; "
        f"see {folder / 'README.md'}",
        err=True,
    )
