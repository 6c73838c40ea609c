"""Signed receipts: proof of what was checked, under which policy, with which verdict.

``postcheck check … --receipt FILE`` writes one receipt per post. A receipt is
a JSON file::

    {"receipt": {...what was checked...},
     "signature": {"algorithm": "Ed25519", "value": BASE64}}

The signature covers the canonical JSON (RFC 8785 form; see
:mod:`postcheck.fingerprints`) of ``receipt``. The file itself is written in
one exact form (two-space indents, sorted keys), and ``verify`` refuses any
other bytes, so a receipt with a single byte changed anywhere is refused.

What a receipt holds (hashes and ids only: no text, no pupil names, no
message, detail or evidence): schema version, postcheck version, UTC time, the
OS user, the signing key's id, channel, policy id and the SHA-256 of the pack
file, SHA-256 of the config and register files, each input's relative path,
kind and SHA-256, the verdict, and each finding's id, rule, variant, severity,
clauses, register ids and what waived it; the approval reference.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck import __version__
from postcheck.fingerprints import canonical_json, shown_variant
from postcheck.model import Finding, PostResult, Report
from postcheck.provenance import config_facts, os_user, policy_facts, relative_path, utc_now

SCHEMA = 1
TYPE = "postcheck-receipt"
ALGORITHM = "Ed25519"

# `postcheck verify` exit codes, in the order failures are looked for; the
# first failure found decides the code (README "Exit codes").
VERIFY_OK = 0
VERDICT_WARN = 3
VERDICT_BLOCK = 4
UNREADABLE = 5
FORGED = 6
OTHER_KEY = 7
OTHER_VERSION = 8
OTHER_POLICY = 9
FILE_CHANGED = 10
FILE_NOT_CHECKED = 11
FILE_MISSING = 12
ORDER = (
    UNREADABLE,
    OTHER_KEY,
    FORGED,
    OTHER_VERSION,
    OTHER_POLICY,
    FILE_CHANGED,
    FILE_NOT_CHECKED,
    FILE_MISSING,
    VERDICT_BLOCK,
    VERDICT_WARN,
)


# --- writing ------------------------------------------------------------------------


def waived_by(f: Finding, approval: str | None) -> dict[str, Any] | None:
    """What waived a finding, as ids: the waiver's fingerprint and expiry, or the approval reference."""
    if not f.approved:
        return None
    if f.waiver is not None and not f.waiver.expired:
        return {
            "waiver": f.waiver.fingerprint,
            "expires": f.waiver.expires.isoformat(),
            "approval": f.waiver.approval,
        }
    return {"waiver": None, "expires": None, "approval": approval}


def finding_entry(f: Finding, approval: str | None) -> dict[str, Any]:
    return {
        "id": f.fingerprint,
        "rule": f.rule,
        "variant": shown_variant(f),  # never "never-publish": receipts name no consent status
        "severity": f.severity.label if f.severity is not None else None,
        "clauses": list(f.clauses),
        "person": f.person,
        "people": list(f.people),
        "waived_by": waived_by(f, approval),
    }


def run_facts(session: Any) -> dict[str, Any]:
    """The facts every receipt of a run shares."""
    return {
        "schema": SCHEMA,
        "type": TYPE,
        "postcheck": __version__,
        "checked_at": utc_now(),
        "user": os_user(),
        "channel": session.channel,
        "policy": policy_facts(session.policy),
        **config_facts(session.config),
        "approval": session.approval,
    }


def receipt_payload(post: PostResult, facts: dict[str, Any], key: str) -> dict[str, Any]:
    """The signed part of one post's receipt."""
    inputs = [{"path": relative_path(i.path), "kind": i.kind, "sha256": i.sha256} for i in post.inputs]
    return {
        **facts,
        "id": uuid.uuid4().hex,
        "key": key,
        "inputs": inputs,
        "verdict": post.verdict.label,
        "findings": [finding_entry(f, facts["approval"]) for f in post.findings],
    }


def render_receipt(envelope: dict[str, Any]) -> str:
    """The one exact text of a receipt file."""
    return json.dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def seal(payload: dict[str, Any], private_key: Any) -> str:
    """A signed receipt file's text."""
    from postcheck.keys import sign

    signature = {"algorithm": ALGORITHM, "value": sign(private_key, canonical_json(payload))}
    return render_receipt({"receipt": payload, "signature": signature})


@dataclass
class ReceiptPlan:
    """Where a run's receipts go: ``target`` is the file for one post, or the
    folder for a batch (one ``NAME.receipt.json`` per post)."""

    target: Path
    folder: bool
    force: bool
    private_key: Any
    written: list[tuple[str, Path]] = field(default_factory=list)

    def path_for(self, name: str, taken: set[Path]) -> Path:
        if not self.folder:
            return self.target
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "post"
        path, n = self.target / f"{stem}.receipt.json", 2
        while path in taken:
            path, n = self.target / f"{stem}-{n}.receipt.json", n + 1
        return path


def write_receipts(report: Report, session: Any, plan: ReceiptPlan) -> dict[str, str]:
    """Sign and write one receipt per post; returns each post's receipt id."""
    from postcheck.errors import UsageError
    from postcheck.keys import key_id

    facts = run_facts(session)
    key = key_id(plan.private_key.public_key())
    ids: dict[str, str] = {}
    taken: set[Path] = set()
    if plan.folder:
        plan.target.mkdir(parents=True, exist_ok=True)
    for post in report.posts:
        path = plan.path_for(post.name, taken)
        taken.add(path)
        payload = receipt_payload(post, facts, key)
        mode = "w" if plan.force else "x"
        try:
            with path.open(mode, encoding="utf-8") as fh:
                fh.write(seal(payload, plan.private_key))
        except FileExistsError as exc:
            raise UsageError(f"{path}: already exists; use --force to overwrite it") from exc
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the receipt: {exc.strerror}") from exc
        ids[post.name] = payload["id"]
        plan.written.append((post.name, path))
    return ids


# --- verifying ------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    code: int
    message: str


@dataclass
class Verification:
    """What ``postcheck verify`` found: the receipt (when it could be read) and every failure."""

    receipt: dict[str, Any] | None
    failures: list[Failure] = field(default_factory=list)
    compared: list[tuple[str, str]] = field(default_factory=list)  # (file, receipt path) matched

    def fail(self, code: int, message: str) -> None:
        self.failures.append(Failure(code, message))

    @property
    def exit_code(self) -> int:
        codes = {f.code for f in self.failures}
        return next((c for c in ORDER if c in codes), VERIFY_OK)

    @property
    def trusted(self) -> bool:
        """The receipt was read and its signature is good (what it says can be shown)."""
        return self.receipt is not None and not any(
            f.code in (UNREADABLE, FORGED, OTHER_KEY) for f in self.failures
        )


def read_receipt(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed envelope, or None and why it is not a receipt."""
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not a receipt: it is not valid JSON ({exc.msg}, line {exc.lineno})"
    if not isinstance(envelope, dict) or set(envelope) != {"receipt", "signature"}:
        return None, "not a postcheck receipt"
    payload, signature = envelope["receipt"], envelope["signature"]
    if not isinstance(payload, dict) or payload.get("type") != TYPE:
        return None, "not a postcheck receipt"
    if payload.get("schema") != SCHEMA:
        return None, f"receipt schema {payload.get('schema')!r}: this postcheck reads schema {SCHEMA}"
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return None, f"the receipt is not signed with {ALGORITHM}"
    return envelope, None


def check_signature(v: Verification, text: str, envelope: dict[str, Any], keys: dict[str, Any]) -> None:
    """Which key signed the receipt, whether the signature holds, whether the bytes are exact."""
    from postcheck.keys import signature_valid

    payload = envelope["receipt"]
    key = payload.get("key")
    if not isinstance(key, str) or key not in keys:
        known = ", ".join(sorted(keys))
        v.fail(OTHER_KEY, f"signed with key {key}, which is not a key this check trusts ({known})")
        return
    value = envelope["signature"].get("value")
    good = isinstance(value, str) and signature_valid(keys[key], value, canonical_json(payload))
    if not good:
        v.fail(FORGED, "the signature does not match: the receipt was altered or forged")
    elif text != render_receipt(envelope):
        v.fail(FORGED, "the receipt's bytes were altered after it was signed")


def check_versions(v: Verification, payload: dict[str, Any], policy: Any) -> None:
    """The receipt's postcheck version and policy pack against the ones here."""
    from postcheck.fingerprints import sha256_or_none

    if payload.get("postcheck") != __version__:
        v.fail(
            OTHER_VERSION,
            f"checked with postcheck {payload.get('postcheck')}, this is postcheck {__version__}: "
            "check the post again with this version",
        )
    want = payload.get("policy") or {}
    if policy is None:
        v.fail(
            OTHER_POLICY,
            f"cannot confirm the {want.get('id')!r} policy here: give --policy (the pack file) or --config",
        )
        return
    here = sha256_or_none(Path(policy.path))
    if policy.id != want.get("id"):
        v.fail(OTHER_POLICY, f"checked under the {want.get('id')!r} policy, but this policy is {policy.id!r}")
    elif here != want.get("sha256"):
        v.fail(OTHER_POLICY, f"the {policy.id!r} policy pack has changed since the post was checked")


def check_files(v: Verification, payload: dict[str, Any], files: list[Path]) -> None:
    """Each given file against the inputs the receipt lists (by SHA-256; paths only name them)."""
    from postcheck.fingerprints import sha256_file

    remaining = [dict(i) for i in payload.get("inputs", [])]
    for path in files:
        digest = sha256_file(path)
        rel = relative_path(str(path))
        match = next((i for i in remaining if i.get("sha256") == digest), None)
        if match is not None:
            remaining.remove(match)
            v.compared.append((str(path), match.get("path", "")))
            continue
        same = next((i for i in remaining if _same_name(i.get("path", ""), rel)), None)
        if same is not None:
            remaining.remove(same)
            v.fail(FILE_CHANGED, f"{path}: changed since it was checked (not byte-for-byte the file checked)")
        else:
            v.fail(FILE_NOT_CHECKED, f"{path}: was not part of the post this receipt is for")
    for i in remaining:
        v.fail(FILE_MISSING, f"{i.get('path')}: checked as part of this post, but not given")


def _same_name(checked: str, given: str) -> bool:
    return checked == given or checked.rsplit("/", 1)[-1] == given.rsplit("/", 1)[-1]


def check_verdict(v: Verification, payload: dict[str, Any]) -> None:
    verdict = payload.get("verdict")
    if verdict == "block":
        v.fail(VERDICT_BLOCK, "the verdict was block: the post must not be published as it is")
    elif verdict == "warn":
        v.fail(VERDICT_WARN, "the verdict was warn: a person must review it (or waive the findings)")
    elif verdict != "pass":
        v.fail(UNREADABLE, f"the receipt's verdict {verdict!r} is not one postcheck writes")


def verify(text: str, keys: dict[str, Any], policy_for: Any, files: list[Path]) -> Verification:
    """Everything ``postcheck verify`` checks. ``policy_for(policy_id)`` returns the
    pack to compare with (or None when it cannot be found here)."""
    envelope, problem = read_receipt(text)
    if envelope is None:
        v = Verification(None)
        v.fail(UNREADABLE, problem or "not a receipt")
        return v
    v = Verification(envelope["receipt"])
    check_signature(v, text, envelope, keys)
    if not v.trusted:
        return v
    payload = envelope["receipt"]
    check_versions(v, payload, policy_for((payload.get("policy") or {}).get("id")))
    if files:
        check_files(v, payload, files)
    check_verdict(v, payload)
    return v
