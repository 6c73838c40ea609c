"""The consent register: pupils and staff from CSV, and every consent decision.

All consent logic lives here (:func:`photo_consent`, :func:`name_permission`),
so text, face and fix checks agree on what a pupil's consent allows.

``pupils.csv``::

    pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,never_publish,photos
    P001,Amelia,Smith,Millie,6,yes,first,2027-07-31,,photos/P001

``preferred_name`` may hold several names or nicknames separated by ``;``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from postcheck.config import PUPIL_COLUMNS, STAFF_COLUMNS, Config
from postcheck.errors import ConfigError

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", "", "withdrawn"}
NAME_CONSENTS = {"yes": "yes", "full": "yes", "first": "first", "no": "no", "": "no"}


@dataclass(frozen=True)
class Person:
    """A pupil or member of staff. Staff have ``is_staff`` and no consents."""

    id: str
    first_name: str
    last_name: str
    preferred_names: tuple[str, ...] = ()
    year: str = ""
    photo_consent: bool = False
    name_consent: str = "no"  # yes | first | no
    consent_expires: dt.date | None = None
    never_publish: bool = False
    photos: Path | None = None
    is_staff: bool = False

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def given_names(self) -> tuple[str, ...]:
        """First name and every preferred name or nickname."""
        names = [self.first_name, *self.preferred_names]
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class Consent:
    """What a pupil's consent allows today, and why."""

    photo: bool
    name: str  # yes | first | no
    reason: str


def consent(person: Person, today: dt.date | None = None) -> Consent:
    """The pupil's effective consent: ``never_publish`` overrides everything;
    after ``consent_expires`` both consents count as no."""
    today = today or dt.date.today()
    if person.never_publish:
        return Consent(False, "no", "must never be published or named (never_publish)")
    if person.consent_expires is not None and today > person.consent_expires:
        return Consent(False, "no", f"consent expired on {person.consent_expires.isoformat()}")
    reason = "photo consent given" if person.photo_consent else "no photo consent"
    return Consent(person.photo_consent, person.name_consent, reason)


def photo_consent(person: Person, today: dt.date | None = None) -> bool:
    return consent(person, today).photo


def name_permission(person: Person, channel: str, today: dt.date | None = None) -> str:
    """How much of the pupil's name may appear on ``channel``: ``full``,
    ``first`` or ``none``. Pupils are never named on personal accounts."""
    if channel == "personal":
        return "none"
    return {"yes": "full", "first": "first", "no": "none"}[consent(person, today).name]


@dataclass(frozen=True)
class Register:
    pupils: tuple[Person, ...] = ()
    staff: tuple[Person, ...] = ()
    pupils_path: Path | None = None
    staff_path: Path | None = None

    @property
    def people(self) -> tuple[Person, ...]:
        return self.pupils + self.staff

    def by_id(self, pid: str) -> Person | None:
        for p in self.people:
            if p.id == pid:
                return p
        return None

    @property
    def empty(self) -> bool:
        return not self.pupils and not self.staff


def _bool(value: str, where: str, column: str) -> bool:
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    raise ConfigError(f"{where}: {column}: expected yes or no, got {value!r}")


def _read_rows(path: Path, columns: tuple[str, ...], mapping: dict[str, str], required: tuple[str, ...]):
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: register file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read register: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(text.splitlines())
    headers = reader.fieldnames or []
    header_for = {c: mapping.get(c, c) for c in columns}
    missing = [header_for[c] for c in required if header_for[c] not in headers]
    if missing:
        raise ConfigError(
            f"{path}: line 1: missing column(s) {', '.join(missing)}; "
            "map your headers with [register.columns] in postcheck.toml"
        )
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values()):
            continue
        yield line, {c: (row.get(header_for[c]) or "").strip() for c in columns}


def _photos(value: str, base: Path) -> Path | None:
    if not value:
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def load_pupils(path: Path, mapping: dict[str, str] | None = None) -> tuple[Person, ...]:
    pupils = []
    seen: set[str] = set()
    required = ("pupil_id", "first_name", "last_name")
    for line, row in _read_rows(path, PUPIL_COLUMNS, mapping or {}, required):
        where = f"{path}: line {line}"
        pid = row["pupil_id"]
        if not pid or not row["first_name"]:
            raise ConfigError(f"{where}: pupil_id and first_name must not be empty")
        if pid in seen:
            raise ConfigError(f"{where}: pupil_id {pid!r} appears twice")
        seen.add(pid)
        name_consent = row["name_consent"].lower()
        if name_consent not in NAME_CONSENTS:
            raise ConfigError(
                f"{where}: name_consent: expected yes, first or no, got {row['name_consent']!r}"
            )
        expires = None
        if row["consent_expires"]:
            try:
                expires = dt.date.fromisoformat(row["consent_expires"])
            except ValueError as exc:
                raise ConfigError(
                    f"{where}: consent_expires: expected a date as YYYY-MM-DD, got {row['consent_expires']!r}"
                ) from exc
        preferred = tuple(p.strip() for p in row["preferred_name"].split(";") if p.strip())
        pupils.append(
            Person(
                id=pid,
                first_name=row["first_name"],
                last_name=row["last_name"],
                preferred_names=preferred,
                year=row["year"],
                photo_consent=_bool(row["photo_consent"], where, "photo_consent"),
                name_consent=NAME_CONSENTS[name_consent],
                consent_expires=expires,
                never_publish=_bool(row["never_publish"], where, "never_publish"),
                photos=_photos(row["photos"], path.parent),
            )
        )
    return tuple(pupils)


def load_staff(path: Path, mapping: dict[str, str] | None = None) -> tuple[Person, ...]:
    staff = []
    for line, row in _read_rows(path, STAFF_COLUMNS, mapping or {}, ("first_name", "last_name")):
        if not row["first_name"]:
            raise ConfigError(f"{path}: line {line}: first_name must not be empty")
        preferred = tuple(p.strip() for p in row["preferred_name"].split(";") if p.strip())
        staff.append(
            Person(
                id=row["staff_id"] or f"S{line - 1:03d}",
                first_name=row["first_name"],
                last_name=row["last_name"],
                preferred_names=preferred,
                photos=_photos(row["photos"], path.parent),
                is_staff=True,
            )
        )
    return tuple(staff)


def load_register(config: Config) -> Register:
    """Load the register named in the config; an empty register when none is."""
    mapping = config.get("register.columns")
    pupils_path = config.get("register.pupils")
    staff_path = config.get("register.staff")
    pupils = load_pupils(pupils_path, mapping) if pupils_path else ()
    staff = load_staff(staff_path, mapping) if staff_path else ()
    return Register(pupils, staff, pupils_path, staff_path)
