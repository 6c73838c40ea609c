"""``postcheck register enrol|status|purge``: the consent register's face data.

The face libraries (dlib, OpenCV) are imported inside the commands only, so
that ``postcheck --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

register_app = typer.Typer(
    name="register",
    help="Consent register and face data: enrol reference photos, show status, purge.",
    no_args_is_help=True,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="postcheck.toml to use (default: discovered as for `postcheck check`)."),
]


def _fail(code: int, message: str) -> typer.Exit:
    typer.echo(f"postcheck: error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Every known error ends as one line on stderr and its exit code, never a traceback."""
    from postcheck.errors import EXIT_CONFIG, PostcheckError, Unavailable

    try:
        yield
    except PostcheckError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        raise _fail(exc.exit_code, message) from None
    except Unavailable as exc:
        raise _fail(EXIT_CONFIG, f"cannot enrol faces: {exc.hint}") from None
    except OSError as exc:
        raise _fail(
            EXIT_CONFIG, f"face data: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        ) from None


def _load(config_path: Path | None) -> tuple[Any, Any]:
    from postcheck.config import resolve_config
    from postcheck.errors import ConfigError
    from postcheck.register import load_register

    config = resolve_config(config_path)
    register = load_register(config)
    if register.empty:
        where = config.path or "no postcheck.toml found"
        raise ConfigError(
            f"{where}: no consent register configured",
            "set [register] pupils (and staff) in postcheck.toml; `postcheck init` writes a template",
        )
    return config, register


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[what]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None, what="")

        def update(done: int, total: int, what: str) -> None:
            progress.update(task, completed=done, total=total, what=what)

        yield update


@register_app.command()
def enrol(config: ConfigOption = None) -> None:
    """Encode every pupil's and staff member's reference photos into the private face cache.

    Reference photos are the register's `photos` column (a photo or a folder of
    photos). A photo with no face, more than one face, a face under 80 px or a
    blurred face is rejected with the reason. Unchanged photos are not encoded
    again; photos removed from the register have their encodings deleted.

    Example: postcheck register enrol --config school/postcheck.toml
    """
    with _errors():
        cfg, register = _load(config)
        from postcheck.faces import cache

        detector = cfg.get("faces.detector")
        with _progress("Enrolling reference photos") as progress:
            result = cache.enrol(register, detector, progress)
        people = len(set(result.enrolled.owners))
        typer.echo(
            f"Enrolled {len(result.enrolled)} reference photo(s) of {people} person(s): "
            f"{result.encoded} checked now, {result.reused} unchanged"
            + (f", {result.removed} old encoding(s) deleted" if result.removed else "")
            + f". Face data: {cache.faces_dir()}"
        )
        for _pid, path, reason in result.rejected:
            typer.echo(f"Rejected {path}: {reason}")
        cannot = [p for p in register.people if not result.usable.get(p.id)]
        if cannot:
            typer.echo(
                f"Cannot be recognised in photos ({len(cannot)}): " + ", ".join(_who(p) for p in cannot)
            )
        counts = {"photos": len(result.enrolled), "encoded": result.encoded, "rejected": len(result.rejected)}
        _audit("enrol", cfg, counts)


def _audit(command: str, config: Any, counts: dict[str, int] | None = None) -> None:
    """Approval workflows: the audit record of a register command (counts only, no names)."""
    from postcheck.audit_records import record_register

    record_register(command, config, counts)


def _who(person: Any) -> str:
    return f"{person.id} {person.display_name}" + (" (staff)" if person.is_staff else "")


@register_app.command()
def status(config: ConfigOption = None) -> None:
    """List pupils with their photo consent, its expiry and their usable reference photos.

    Ends with everyone who cannot be recognised in photos at all (no usable
    reference photo). Nothing is encoded: run `postcheck register enrol` first.

    Example: postcheck register status --config school/postcheck.toml
    """
    with _errors():
        cfg, register = _load(config)
        from rich.console import Console
        from rich.table import Table

        from postcheck.faces import cache
        from postcheck.register import consent

        info = cache.describe(register, cfg.get("faces.detector"))
        today = dt.date.today()
        table = Table(title="Pupils", show_lines=False)
        for col in ("id", "name", "photo consent", "expires", "usable photos", "notes"):
            table.add_column(col)
        rejected: dict[str, list[str]] = {}
        for pid, path, reason in info["rejected"]:
            rejected.setdefault(pid, []).append(f"{Path(path).name}: {reason}")
        for p in register.pupils:
            c = consent(p, today)
            state = "yes" if c.photo else f"no: {c.reason}"
            notes = rejected.get(p.id, [])
            if info["pending"].get(p.id):
                notes = [*notes, f"{info['pending'][p.id]} photo(s) not enrolled yet"]
            if p.id in info["problems"]:
                notes = [*notes, info["problems"][p.id]]
            table.add_row(
                p.id,
                p.display_name,
                state,
                p.consent_expires.isoformat() if p.consent_expires else "",
                str(info["usable"].get(p.id, 0)),
                "; ".join(notes),
            )
        console = Console(soft_wrap=True)
        console.print(table)
        staff_ok = sum(1 for s in register.staff if info["usable"].get(s.id))
        typer.echo(f"Staff: {len(register.staff)}, {staff_ok} with a usable reference photo.")
        cannot = [p for p in register.people if not info["usable"].get(p.id)]
        if cannot:
            typer.echo(
                f"Cannot be recognised in photos ({len(cannot)}): " + ", ".join(_who(p) for p in cannot)
            )
        else:
            typer.echo("Everyone in the register can be recognised in photos.")
        if info["stale"]:
            typer.echo("The face data is out of date with the register: run `postcheck register enrol`.")
        _audit("status", cfg)


@register_app.command()
def purge() -> None:
    """Delete all face data (encodings and the index of reference photos) from this computer.

    Face data is kept per user (not per config), so this deletes it for every
    register enrolled from this account. The register's CSV files and photos
    are not touched; `postcheck register enrol` (or the next check of a photo)
    encodes them again.

    Example: postcheck register purge
    """
    with _errors():
        from postcheck.faces import cache

        root, deleted = cache.purge()
        if deleted:
            typer.echo(f"Deleted from {root}:")
            for what in deleted:
                typer.echo(f"  {what}")
        else:
            typer.echo(f"No face data to delete ({root} holds none).")
        from postcheck.config import resolve_config

        _audit("purge", resolve_config(None), {"deleted": len(deleted)})
