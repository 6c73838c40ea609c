"""Approval workflows on the command line: ``verify``, ``waive``, ``key`` and
``audit``, and the receipt and audit steps of ``check``.

Mounted by :mod:`postcheck.cli`. Only Typer is imported here; ``cryptography``,
``sqlite3`` and the checks are imported when a command runs.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from postcheck.cli_options import ConfigOpt, PolicyOpt

ReceiptOpt = Annotated[
    Path | None,
    typer.Option(
        "--receipt",
        help="Write a signed receipt of what was checked and the verdict (a folder for a batch: "
        "one receipt per post). Check it later with `postcheck verify`.",
    ),
]


def _stderr(text: str) -> None:
    typer.echo(text, err=True)


# --- the receipt and audit steps of `postcheck check` -------------------------------------


def plan_receipts(receipt: Path | None, posts: list[Any], force: bool) -> Any:
    """Where receipts go, checked before any post is checked; None without ``--receipt``.

    Loads the signing key (exit 78 when there is none) and refuses to overwrite
    a receipt without ``--force``."""
    if receipt is None:
        return None
    from postcheck.errors import UsageError
    from postcheck.keys import load_private_key
    from postcheck.receipts import ReceiptPlan

    folder = receipt.is_dir() or len(posts) > 1
    if folder and receipt.exists() and not receipt.is_dir():
        raise UsageError(f"--receipt {receipt}: a batch writes one receipt per post, so give a folder")
    if not receipt.absolute().parent.is_dir():
        raise UsageError(f"--receipt {receipt}: the folder {receipt.absolute().parent} does not exist")
    plan = ReceiptPlan(receipt, folder, force, load_private_key())
    taken: set[Path] = set()
    for post in posts:
        path = plan.path_for(post.name, taken)
        taken.add(path)
        if path.exists() and not force:
            raise UsageError(f"{path}: already exists; use --force to overwrite it")
    return plan


def finish_check(report: Any, session: Any, plan: Any, exit_code: int) -> None:
    """After the report: write the receipts, then the audit record."""
    from postcheck.audit_records import record_check
    from postcheck.receipts import write_receipts

    receipts = write_receipts(report, session, plan) if plan is not None else {}
    if plan is not None:
        for name, path in plan.written:
            _stderr(f"postcheck: receipt for {name}: {path}")
    record_check(report, session, receipts, exit_code)


# --- postcheck verify ---------------------------------------------------------------------


def _policy_finder(policy: str | None, config: Any) -> Any:
    """The pack a receipt's policy is compared with: ``--policy``, else the config's,
    else the built-in pack the receipt names (None when it is not built in)."""
    from postcheck.policy import BUILTIN_PACKS, load_policy

    def find(receipt_policy: str | None) -> Any:
        if policy is not None:
            return load_policy(policy, Path.cwd())
        if config.path is not None:
            return load_policy(config.policy, config.base)
        if receipt_policy in BUILTIN_PACKS:
            return load_policy(receipt_policy)
        return None

    return find


def _waived_word(by: dict[str, Any]) -> str:
    if by.get("waiver"):
        ref = f", ref {by['approval']}" if by.get("approval") else ""
        return f"by waiver until {by.get('expires')}{ref}"
    return f"by approval {by.get('approval')}"


def _print_receipt(payload: dict[str, Any]) -> None:
    policy = payload.get("policy") or {}
    typer.echo(f"Receipt {payload.get('id')}")
    typer.echo(
        f"  checked {payload.get('checked_at')} by {payload.get('user')} with postcheck "
        f"{payload.get('postcheck')}, signed with {payload.get('key')}"
    )
    approval = payload.get("approval")
    typer.echo(
        f"  policy {policy.get('id')} (pack sha256 {str(policy.get('sha256'))[:12]}…), "
        f"{payload.get('channel')} channel" + (f", approval {approval}" if approval else "")
    )
    for i in payload.get("inputs", []):
        typer.echo(f"  {i.get('kind'):5} {i.get('path')}  sha256 {str(i.get('sha256'))[:16]}…")
    typer.echo(f"  verdict: {payload.get('verdict')}")
    for f in payload.get("findings", []):
        by = f.get("waived_by")
        state = f"waived ({_waived_word(by)})" if by else f.get("severity")
        clauses = ", ".join(f.get("clauses") or []) or "-"
        typer.echo(f"    {state}: {f.get('rule')} (clauses {clauses}) {f.get('id')}")


def verify_command(
    receipt: Annotated[Path, typer.Argument(help="A receipt written by `postcheck check --receipt`.")],
    files: Annotated[
        list[Path] | None, typer.Argument(help="The files about to be published, to compare byte for byte.")
    ] = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="A public key from `postcheck key export` (repeat for several). "
            "Default: this user's own signing key.",
        ),
    ] = None,
    policy: PolicyOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Check a receipt before publishing: signature, postcheck and policy versions,
    the files (byte for byte) and the verdict.

    Exit 0 only when the signature is valid, nothing changed and the verdict was
    pass (or every finding was waived). Each failure has its own exit code: see
    the README's exit-code table.

    Example: postcheck verify draft.receipt.json draft.txt photo.jpg --public-key school.pub
    """
    from postcheck.audit_records import record_verify
    from postcheck.config import resolve_config
    from postcheck.errors import InputMissing, UsageError
    from postcheck.fingerprints import sha256_file
    from postcheck.keys import trusted_keys
    from postcheck.receipts import verify

    files = files or []
    for path in [receipt, *files]:
        if path.is_dir():
            raise UsageError(f"{path}: is a folder; give the receipt and the post's files")
        if not path.is_file():
            raise InputMissing(f"{path}: no such file")
    raw = receipt.read_bytes()
    keys = trusted_keys(public_key or [])
    cfg = resolve_config(config)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    v = verify(text, keys, _policy_finder(policy, cfg), files)
    if v.trusted and v.receipt is not None:
        _print_receipt(v.receipt)
    for path, checked in v.compared:
        typer.echo(f"  same bytes as checked: {path}" + (f" ({checked})" if checked != str(path) else ""))
    for failure in v.failures:
        _stderr(f"postcheck: refused ({failure.code}): {failure.message}")
    if not v.failures:
        note = "" if files else " (no files given: give them to compare them with what was checked)"
        typer.echo(f"verified: the receipt is genuine and the post passed{note}")
    record_verify(v, sha256_file(receipt), [sha256_file(p) for p in files], v.exit_code, cfg)
    raise typer.Exit(v.exit_code)


# --- postcheck waive ----------------------------------------------------------------------


def _find_in_report(report: Path, finding_id: str) -> dict[str, Any]:
    from postcheck.errors import InputMissing, UsageError

    if not report.is_file():
        raise InputMissing(f"{report}: no such file")
    try:
        data = json.loads(report.read_bytes().decode("utf-8"))
        posts = data["posts"]
        found = [f for p in posts for f in [*p.get("findings", []), *p.get("waived", [])]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{report}: not a postcheck JSON report (postcheck check --format json)") from exc
    want = finding_id.strip()
    matches = {f.get("id"): f for f in found if isinstance(f.get("id"), str) and _id_matches(f["id"], want)}
    if not matches:
        raise UsageError(
            f"{report}: no finding {want!r}",
            hint='copy a finding\'s "id" from the report (its first 8 or more characters will do)',
        )
    if len(matches) > 1:
        raise UsageError(f"{want!r} matches {len(matches)} findings: give more of the id")
    return next(iter(matches.values()))


def _id_matches(full: str, want: str) -> bool:
    if full == want:
        return True
    digest = full.rsplit(":", 1)[-1]
    return len(want.rsplit(":", 1)[-1]) >= 8 and (full.startswith(want) or digest.startswith(want))


def _expiry(value: str) -> dt.date:
    from postcheck.errors import UsageError

    try:
        date = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--expires {value}: expected a date, YYYY-MM-DD") from exc
    if date < dt.date.today():
        raise UsageError(f"--expires {value}: that date has passed")
    return date


def waive_command(
    report: Annotated[Path, typer.Argument(help="A JSON report (postcheck check --format json).")],
    finding_id: Annotated[str, typer.Argument(help="The finding's id from the report.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it may be published as it is.")],
    by: Annotated[str, typer.Option("--by", help="Who approved it (name and role).")],
    expires: Annotated[str, typer.Option("--expires", help="Last day the waiver applies (YYYY-MM-DD).")],
    approval: Annotated[
        str | None, typer.Option("--approval", help="Reference of the written authorisation.")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Waive one finding of an approvable rule: appends an entry to waivers.toml beside postcheck.toml.

    The waiver covers that finding in those exact bytes: an edited file gets
    new findings. Rules the policy pack does not mark approvable cannot be waived.

    Example: postcheck waive report.json official-authorisation:3f1c9a0b --reason "agreed at briefing"
    --by "J. Okafor, Head Teacher" --expires 2026-07-31 --approval HT-2026-114
    """
    from postcheck.audit_records import record_waive
    from postcheck.config import resolve_config
    from postcheck.errors import ConfigError, UsageError
    from postcheck.fingerprints import parse_fingerprint
    from postcheck.policy import load_policy
    from postcheck.waivers import append_waiver, not_waivable, waivers_path

    finding = _find_in_report(report, finding_id)
    date = _expiry(expires)
    if not reason.strip() or not by.strip():
        raise UsageError("--reason and --by must not be empty")
    cfg = resolve_config(config)
    path = waivers_path(cfg)
    if path is None:
        raise ConfigError("no postcheck.toml found: waivers.toml is kept beside it", "run `postcheck init`")
    pack = load_policy(cfg.policy, cfg.base)
    fp = finding["id"]
    parts = parse_fingerprint(fp)
    if parts is None:
        raise UsageError(f"{fp!r} is not a finding id")
    why = not_waivable(parts.rule, parts.variant, pack)
    if why:
        raise ConfigError(f"{fp}: {why}")
    entry: dict[str, Any] = {"fingerprint": fp, "reason": reason.strip(), "approved_by": by.strip()}
    entry["expires"] = date
    if approval:
        entry["approval"] = approval.strip()
    append_waiver(path, entry, pack)
    typer.echo(f"waived {fp} until {date.isoformat()}: written to {path}")
    record_waive(fp, date.isoformat(), entry.get("approval"), cfg)


# --- postcheck key ------------------------------------------------------------------------

key_app = typer.Typer(
    name="key",
    help="The school's signing key for receipts.\n\nExample: postcheck key export --output school.pub",
    no_args_is_help=True,
)


@key_app.command("init")
def key_init(
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the key (receipts signed with the old one stop verifying)."),
    ] = False,
) -> None:
    """Create the signing key in your user config folder (mode 0600), if there is none.

    Example: postcheck key init
    """
    from postcheck.keys import create_key, key_id, load_private_key

    path, created = create_key(force)
    kid = key_id(load_private_key().public_key())
    if created:
        typer.echo(f"wrote signing key {kid} to {path}")
    else:
        typer.echo(f"kept the existing signing key {kid} at {path} (--force replaces it)")
    typer.echo("Next: `postcheck key export --output school.pub` for the machine that verifies receipts.")


@key_app.command("export")
def key_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the public key here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
) -> None:
    """Print (or write) the public key that checks this school's receipts.

    Example: postcheck key export --output school.pub
    """
    from postcheck.errors import UsageError
    from postcheck.keys import key_id, load_private_key, public_pem

    key = load_private_key()
    pem = public_pem(key).decode("ascii")
    if output is None:
        sys.stdout.write(pem)
    else:
        if output.exists() and not force:
            raise UsageError(f"{output}: already exists; use --force to overwrite it")
        output.write_text(pem, encoding="ascii")
    _stderr(f"postcheck: public key {key_id(key.public_key())}" + (f" written to {output}" if output else ""))


def mount_approval(app: typer.Typer) -> None:
    """Add ``verify``, ``waive``, ``key`` and ``audit`` to the main app."""
    from postcheck.cli_audit import audit_app

    app.command(
        "verify",
        help="Check a receipt before publishing: signature, versions, the files byte for byte, "
        "the verdict.\n\nExample: postcheck verify post.receipt.json draft.txt photo.jpg "
        "--public-key school.pub",
    )(verify_command)
    app.command(
        "waive",
        help="Waive one finding of an approvable rule, with a reason, an approver and an expiry "
        "(appends to waivers.toml).\n\nExample: postcheck waive report.json ID --reason … --by … "
        "--expires 2026-07-31",
    )(waive_command)
    app.add_typer(key_app)
    app.add_typer(audit_app)
