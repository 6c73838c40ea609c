"""Waivers: a named person's approval of one finding, with a reason and an expiry.

``waivers.toml`` sits beside ``postcheck.toml``::

    [[waiver]]
    fingerprint = "official-authorisation:3f1c9a0b7d2e4f6a8b0c1d2e"
    reason      = "Agreed with the Head Teacher at the 12 May briefing"
    approved_by = "J. Okafor, Head Teacher"
    expires     = 2026-07-31          # a date; required
    approval    = "HT-2026-114"       # optional reference

The fingerprint (:mod:`postcheck.fingerprints`) names the rule and hashes the
input's bytes and the span or box, so a waiver covers that finding in those
exact bytes and nothing else. Only rules the policy pack marks approvable can be
waived: an entry for any other rule (or for a protected safeguarding case, or
an always-on rule) is a configuration error (78) naming the entry. A waiver
applies up to and including its ``expires`` date; after it, the finding counts
again and the report says the waiver expired. When several entries name the
same finding, the one that expires last is used (append a new entry to renew).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck import catalogue
from postcheck.errors import ConfigError
from postcheck.fingerprints import parse_fingerprint
from postcheck.model import Finding, Waiver

WAIVERS_NAME = "waivers.toml"
_KEYS = ("fingerprint", "reason", "approved_by", "expires", "approval")
_REQUIRED = ("fingerprint", "reason", "approved_by", "expires")


@dataclass(frozen=True)
class WaiverSet:
    """The waivers of one config, by fingerprint."""

    path: Path | None = None
    entries: dict[str, Waiver] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def get(self, fingerprint: str | None) -> Waiver | None:
        return self.entries.get(fingerprint) if fingerprint else None


def waivers_path(config: Any) -> Path | None:
    """``waivers.toml`` beside the config file; None when there is no config file."""
    return config.base / WAIVERS_NAME if config.path is not None else None


def not_waivable(rule: str, variant: str | None, policy: Any) -> str | None:
    """Why a finding of ``rule`` (``variant``) cannot be waived under ``policy``; None if it can."""
    if rule not in catalogue.RULE_IDS:
        return f"{rule!r} is not a postcheck rule"
    if rule in catalogue.ALWAYS_ON:
        return f"{rule} is always on: a post that was not fully checked cannot be waived"
    info = catalogue.rule(rule)
    if variant is not None:
        v = info.variant(variant)
        if v is None:
            return f"{rule} has no case {variant!r}"
        if v.protected:
            return f"{rule} ({variant}) is a safeguarding case that is never waived"
    if not policy.rule(rule, variant).approvable:
        return f"the {policy.id} policy does not mark {rule} as approvable, so it cannot be waived"
    return None


def load_waivers(config: Any, policy: Any) -> WaiverSet:
    """The waivers beside ``config``, checked against ``policy`` (ConfigError 78 on a bad entry)."""
    path = waivers_path(config)
    if path is None or not path.exists():
        return WaiverSet(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    extra = set(data) - {"waiver"}
    if extra:
        raise ConfigError(f"{path}: unknown key {sorted(extra)[0]!r}; expected [[waiver]] entries only")
    raw = data.get("waiver", [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ConfigError(f"{path}: waiver: expected [[waiver]] tables")
    entries: dict[str, Waiver] = {}
    for i, item in enumerate(raw, 1):
        w = parse_entry(item, f"{path}: waiver {i}", policy)
        old = entries.get(w.fingerprint)
        if old is None or w.expires >= old.expires:
            entries[w.fingerprint] = w
    return WaiverSet(path, entries)


def parse_entry(raw: dict[str, Any], where: str, policy: Any) -> Waiver:
    for key in raw:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; expected {', '.join(_KEYS)}")
    for key in _REQUIRED:
        if key not in raw:
            raise ConfigError(f"{where}: {key} is required")
    fp = raw["fingerprint"]
    parts = parse_fingerprint(fp) if isinstance(fp, str) else None
    if parts is None:
        raise ConfigError(f"{where}: fingerprint: expected a finding id from a JSON report (RULE:HASH)")
    where = f"{where} ({fp})"
    why = not_waivable(parts.rule, parts.variant, policy)
    if why:
        raise ConfigError(f"{where}: {why}", "remove the entry; only a change to the post can clear it")
    for key in ("reason", "approved_by"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ConfigError(f"{where}: {key}: expected a non-empty string")
    approval = raw.get("approval")
    if approval is not None and (not isinstance(approval, str) or not approval.strip()):
        raise ConfigError(f"{where}: approval: expected a non-empty string (a reference)")
    expires = _date(raw["expires"], where)
    return Waiver(fp, raw["reason"].strip(), raw["approved_by"].strip(), expires, approval)


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ConfigError(f"{where}: expires: expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: expires: expected a date (YYYY-MM-DD)")


def apply_waiver(finding: Finding, waivers: WaiverSet | None, policy: Any, today: dt.date) -> Finding:
    """The finding waived by its waiver, or marked with an expired one (then it counts)."""
    waiver = waivers.get(finding.fingerprint) if waivers else None
    if waiver is None or not_waivable(finding.rule, finding.variant, policy):
        return finding
    if today > waiver.expires:
        return dataclasses.replace(finding, waiver=dataclasses.replace(waiver, expired=True))
    return dataclasses.replace(finding, approved=True, waiver=waiver)


def expired_notes(findings: list[Finding]) -> list[str]:
    """One report note per finding whose waiver has expired."""
    return [
        f"the waiver for {f.fingerprint} (approved by {f.waiver.approved_by}) expired on "
        f"{f.waiver.expires.isoformat()}: the finding counts again"
        for f in findings
        if f.waiver is not None and f.waiver.expired
    ]


def describe(f: Finding, approval: str | None = None) -> str | None:
    """How a finding was waived, or that its waiver expired, in words; None for neither."""
    w = f.waiver
    expired = (
        f"waiver expired on {w.expires.isoformat()} (approved by {w.approved_by}: {w.reason})"
        if w is not None and w.expired
        else None
    )
    if not f.approved:
        return expired
    if w is None or w.expired:
        by = f"waived by approval {approval}" if approval else "waived by approval"
        return by + (f"; {expired}" if expired else "")
    ref = f", ref {w.approval}" if w.approval else ""
    return f"waived by {w.approved_by} until {w.expires.isoformat()}{ref}: {w.reason}"


def append_waiver(path: Path, entry: dict[str, Any], policy: Any) -> None:
    """Append one ``[[waiver]]`` entry to ``path``, keeping every existing byte.

    The whole new file is parsed and checked before it replaces the old one
    (written beside it, then renamed), so a failure leaves the old file as it was."""
    import tomli_w

    try:
        old = path.read_bytes().decode("utf-8") if path.exists() else ""
        tomllib.loads(old)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot add a waiver: the file is not valid TOML ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    block = "[[waiver]]\n" + tomli_w.dumps(entry)
    sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    new = old + sep + block
    try:
        data = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot add a [[waiver]] entry to this file ({exc})") from exc
    for i, item in enumerate(data.get("waiver", []), 1):
        parse_entry(item, f"{path}: waiver {i}", policy)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(new, encoding="utf-8")
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from exc
    finally:
        tmp.unlink(missing_ok=True)
