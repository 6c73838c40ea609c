"""Hashes for approval workflows: inputs, findings, and canonical JSON.

A finding's **fingerprint** (its ``id`` in JSON reports, the key of a waiver)
is ``RULE[/VARIANT]:HASH`` (a protected variant, ``never-publish``, is hashed but
never shown: it would say what a child's consent is), where HASH is the first 24 hex digits of the
SHA-256 of the canonical JSON of::

    {"v": 1, "rule": ..., "variant": ..., "input": SHA-256 of the input's bytes,
     "span": [start, end] | null, "box": [top, right, bottom, left] | null,
     "source": the part of the input (a metadata field, "text in image") | null}

A finding about the post as a whole hashes the post instead of one input: the
SHA-256 of the sorted list of its inputs' hashes. File names and folders never
enter the hash, so the same bytes give the same fingerprint on every machine
and in every folder; a changed byte gives a new one.

**Canonical JSON** is what receipts are signed over and audit records hashed
over: keys sorted, no whitespace, UTF-8, no floats. For the values postcheck
puts there (strings, integers, booleans, null, lists and objects with ASCII
keys) this is the RFC 8785 (JCS) canonical form, so other software can check a
receipt with a standard JCS library.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck.model import Finding, InputFile

FINGERPRINT_VERSION = 1
HASH_DIGITS = 24
_ID = re.compile(r"^(?P<rule>[a-z][a-z0-9-]*)(?:/(?P<variant>[a-z][a-z0-9-]*))?:(?P<hash>[0-9a-f]{24})$")
_CHUNK = 1 << 20


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes (sorted keys, no whitespace, UTF-8)."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON holds no floats (their text form is not portable)")
    if isinstance(value, dict):
        for v in value.values():
            _no_floats(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _no_floats(v)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (raises OSError when it cannot be read)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_or_none(path: Path | None) -> str | None:
    """The SHA-256 of ``path``, or None when there is no such file or it cannot be read."""
    if path is None:
        return None
    try:
        return sha256_file(path)
    except OSError:
        return None


def input_sha256(item: InputFile) -> str | None:
    """The SHA-256 of an input's bytes (stdin's bytes, or the file's); None if unreadable."""
    if item.data is not None:
        return sha256_bytes(item.data)
    return sha256_or_none(item.path)


def post_sha256(digests: Iterable[str | None]) -> str:
    """A post's hash: the SHA-256 of its inputs' hashes, sorted (names play no part)."""
    return sha256_bytes(canonical_json(sorted(d or "" for d in digests)))


def shown_variant(finding: Finding) -> str | None:
    """The finding's variant as machine output may show it: None for a protected
    (safeguarding) variant such as ``never-publish``, which would tell every reader
    of a report, receipt or waiver that a child is never_publish."""
    if finding.variant is None:
        return None
    from postcheck import catalogue

    try:
        variant = catalogue.rule(finding.rule).variant(finding.variant)
    except KeyError:
        return finding.variant
    return None if variant is not None and variant.protected else finding.variant


def fingerprint(finding: Finding, input_hash: str) -> str:
    """The finding's stable id, ``RULE[/VARIANT]:HASH`` (see the module docstring); a
    protected variant is hashed but not shown (:func:`shown_variant`)."""
    payload = {
        "v": FINGERPRINT_VERSION,
        "rule": finding.rule,
        "variant": finding.variant,
        "input": input_hash,
        "span": list(finding.span) if finding.span is not None else None,
        "box": list(finding.box) if finding.box is not None else None,
        "source": finding.source,
    }
    digest = sha256_bytes(canonical_json(payload))[:HASH_DIGITS]
    shown = shown_variant(finding)
    head = finding.rule + (f"/{shown}" if shown else "")
    return f"{head}:{digest}"


@dataclass(frozen=True)
class FingerprintParts:
    rule: str
    variant: str | None
    hash: str


def parse_fingerprint(text: str) -> FingerprintParts | None:
    """The rule, variant and hash of a fingerprint; None when ``text`` is not one."""
    m = _ID.match(text.strip())
    if m is None:
        return None
    return FingerprintParts(m["rule"], m["variant"], m["hash"])


def with_fingerprints(findings: list[Finding], digests: dict[str, str | None]) -> list[Finding]:
    """Each finding with its fingerprint; ``digests`` maps an input's display name to its hash."""
    import dataclasses

    whole = post_sha256(digests.values())
    out = []
    for f in findings:
        input_hash = digests.get(f.input) or whole
        out.append(dataclasses.replace(f, fingerprint=fingerprint(f, input_hash)))
    return out
