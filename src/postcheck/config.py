"""Finding, loading and validating ``postcheck.toml`` (DESIGN §3).

Discovery order: ``--config`` > ``$POSTCHECK_CONFIG`` > the nearest
``postcheck.toml`` walking up from the current folder > ``postcheck.toml`` in
``platformdirs.user_config_dir("postcheck")`` > none.

The schema below is the single description of every key: its type, its
default and what a user must write. Unknown keys, wrong types and bad values
raise :class:`ConfigError` naming the file, the key and what was expected.
Relative paths resolve against the folder of the TOML file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.errors import ConfigError

CONFIG_NAME = "postcheck.toml"
ENV_VAR = "POSTCHECK_CONFIG"

# Our register column names; [register.columns] maps an MIS export's headers onto them.
PUPIL_COLUMNS = (
    "pupil_id",
    "first_name",
    "last_name",
    "preferred_name",
    "year",
    "photo_consent",
    "name_consent",
    "consent_expires",
    "never_publish",
    "photos",
)
STAFF_COLUMNS = ("staff_id", "first_name", "last_name", "preferred_name", "photos")


# --- a small declarative validator -------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of the schema: a parser that raises ValueError(expected) and a default."""

    parse: Callable[[Any, Path], Any]
    default: Any = None
    help: str = ""


def _str(choices: tuple[str, ...] | None = None) -> Callable[[Any, Path], Any]:
    def parse(v: Any, base: Path) -> str:
        if not isinstance(v, str) or not v.strip():
            raise ValueError("a non-empty string" if not choices else "one of " + ", ".join(choices))
        if choices and v not in choices:
            raise ValueError("one of " + ", ".join(choices))
        return v

    return parse


def _str_list(v: Any, base: Path) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError("a list of strings")
    return tuple(v)


def _path(v: Any, base: Path) -> Path:
    if not isinstance(v, str) or not v.strip():
        raise ValueError("a path (a string)")
    p = Path(v).expanduser()
    return p if p.is_absolute() else (base / p)


def _path_list(v: Any, base: Path) -> tuple[Path, ...]:
    if not isinstance(v, list):
        raise ValueError("a list of paths")
    return tuple(_path(x, base) for x in v)


def _number(lo: float, hi: float) -> Callable[[Any, Path], float]:
    def parse(v: Any, base: Path) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            raise ValueError(f"a number from {lo} to {hi}")
        return float(v)

    return parse


def _int(lo: int, hi: int) -> Callable[[Any, Path], int]:
    def parse(v: Any, base: Path) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"a whole number from {lo} to {hi}")
        return v

    return parse


def _bool(v: Any, base: Path) -> bool:
    if not isinstance(v, bool):
        raise ValueError("true or false")
    return v


def _columns(v: Any, base: Path) -> dict[str, str]:
    if not isinstance(v, dict):
        raise ValueError("a table of our column name = your header")
    known = set(PUPIL_COLUMNS) | set(STAFF_COLUMNS)
    for k, header in v.items():
        if k not in known:
            raise ValueError(f"keys from {', '.join(PUPIL_COLUMNS)} ({k!r} is not one)")
        if not isinstance(header, str) or not header:
            raise ValueError(f"a header name (a string) for {k!r}")
    return dict(v)


def _severity_table(v: Any, base: Path) -> dict[str, str]:
    from postcheck.catalogue import RULE_IDS

    if not isinstance(v, dict):
        raise ValueError('a table of rule = "block" | "warn" | "off"')
    for rule, sev in v.items():
        if rule not in RULE_IDS:
            raise ValueError(f"rule names from `postcheck rules` ({rule!r} is not one)")
        if sev not in ("block", "warn", "off"):
            raise ValueError(f'"block", "warn" or "off" for {rule!r}')
    return dict(v)


def _rule_list(v: Any, base: Path) -> tuple[str, ...]:
    from postcheck.catalogue import ALWAYS_ON, RULE_IDS

    rules = _str_list(v, base)
    for rule in rules:
        if rule not in RULE_IDS:
            raise ValueError(f"rule names from `postcheck rules` ({rule!r} is not one)")
        if rule in ALWAYS_ON:
            raise ValueError(f"rules that can be disabled ({rule!r} is always on)")
    return rules


@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lon: float
    radius_m: float


def _sites(v: Any, base: Path) -> tuple[Site, ...]:
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise ValueError("an array of tables ([[trust.sites]])")
    sites = []
    for i, raw in enumerate(v, 1):
        extra = set(raw) - {"name", "lat", "lon", "radius_m"}
        if extra:
            raise ValueError(f"site {i}: only name, lat, lon, radius_m ({sorted(extra)[0]!r} is unknown)")
        try:
            sites.append(
                Site(
                    name=_str()(raw.get("name"), base),
                    lat=_number(-90, 90)(raw.get("lat"), base),
                    lon=_number(-180, 180)(raw.get("lon"), base),
                    radius_m=_number(1, 100_000)(raw.get("radius_m", 250), base),
                )
            )
        except ValueError as exc:
            raise ValueError(
                f"site {i}: name (string), lat, lon (degrees), radius_m (metres): {exc}"
            ) from exc
    return tuple(sites)


# Every section and key postcheck understands. To add a setting, add it here
# and read it with ``config.get("section.key")``.
SCHEMA: dict[str, dict[str, Key] | Key] = {
    "policy": Key(_str(), None, "built-in pack id (haybrook, enquire, generic) or a path to a pack"),
    "channel": Key(_str(("personal", "official")), "personal", "default channel"),
    "trust": {
        "name": Key(_str(), None, "the Trust's name"),
        "aliases": Key(_str_list, (), "other names and abbreviations of the Trust"),
        "schools": Key(_str_list, (), "the Trust's schools"),
        "domains": Key(_str_list, (), "web and e-mail domains of the Trust and its schools"),
        "phones": Key(_str_list, (), "the Trust's and schools' public phone numbers"),
        "emails": Key(_str_list, (), "the Trust's and schools' public e-mail addresses"),
        "logos": Key(_path_list, (), "logo images to look for in photos"),
        "sites": Key(_sites, (), "premises, for photo location checks"),
    },
    "register": {
        "pupils": Key(_path, None, "pupils.csv"),
        "staff": Key(_path, None, "staff.csv"),
        "columns": Key(_columns, {}, "map an MIS export's headers onto postcheck's"),
    },
    "disclaimer": {
        "phrases": Key(_str_list, (), "disclaimer phrases a personal post must carry"),
    },
    "faces": {
        "tolerance": Key(_number(0.2, 0.8), 0.5, "distance at or below which a face matches"),
        "review_band": Key(_number(0.0, 0.3), 0.08, "matches within this much above tolerance go to review"),
        "detector": Key(_str(("centerface", "hog", "cnn")), "centerface", "face detector"),
        "min_face_px": Key(_int(16, 400), 40, "smallest face width looked for, in pixels of the full photo"),
    },
    "nlp": {
        "model": Key(
            _str(),
            "none",
            '"none" (rules only), a trained spaCy package or path, or "auto" (en_core_web_sm if installed)',
        ),
    },
    "text": {
        "region": Key(_str(), "GB", "default region for phone numbers"),
        "words": Key(_str_list, (), "extra words the spelling check accepts"),
        "offensive_threshold": Key(
            _number(0.05, 0.99), 0.5, "classifier score at which a sentence about someone is offensive"
        ),
    },
    "ocr": {
        "enabled": Key(_bool, True, "read text in photos (name badges, certificates, signs)"),
    },
    "audit": {
        "enabled": Key(_bool, True, "record each check, fix, verify and register run in the audit trail"),
    },
    "rules": {
        "disable": Key(_rule_list, (), "rule names to turn off"),
        "severity": Key(_severity_table, {}, 'per-rule severity overrides, e.g. {spelling = "off"}'),
    },
}


@dataclass(frozen=True)
class RulesConfig:
    """The ``[rules]`` section: rules turned off and per-rule severity overrides."""

    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The merged configuration: defaults overlaid with one TOML file."""

    path: Path | None
    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def get(self, dotted: str) -> Any:
        return self.values[dotted]

    @property
    def policy(self) -> str:
        return self.values["policy"] or "generic"

    @property
    def channel(self) -> str:
        return self.values["channel"]

    @property
    def rules(self) -> RulesConfig:
        return RulesConfig(tuple(self.values["rules.disable"]), dict(self.values["rules.severity"]))

    @property
    def sites(self) -> tuple[Site, ...]:
        return self.values["trust.sites"]


def _defaults() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in SCHEMA.items():
        if isinstance(spec, Key):
            values[name] = spec.default
        else:
            for key, k in spec.items():
                values[f"{name}.{key}"] = k.default
    return values


def parse_config(data: dict[str, Any], path: Path) -> Config:
    values = _defaults()
    sources = {k: "default" for k in values}
    where = str(path)
    base = path.parent
    for name, raw in data.items():
        spec = SCHEMA.get(name)
        if spec is None:
            raise ConfigError(f"{where}: unknown key {name!r}; expected one of {', '.join(SCHEMA)}")
        if isinstance(spec, Key):
            values[name] = _apply(spec, raw, base, where, name)
            sources[name] = where
            continue
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: [{name}]: expected a table")
        for key, value in raw.items():
            if key not in spec:
                raise ConfigError(f"{where}: unknown key '{name}.{key}'; expected one of {', '.join(spec)}")
            values[f"{name}.{key}"] = _apply(spec[key], value, base, where, f"{name}.{key}")
            sources[f"{name}.{key}"] = where
    return Config(path, values, sources)


def _apply(spec: Key, raw: Any, base: Path, where: str, key: str) -> Any:
    try:
        return spec.parse(raw, base)
    except ValueError as exc:
        raise ConfigError(f"{where}: {key}: expected {exc}") from exc


def load_config(path: Path) -> Config:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a folder, not a config file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return parse_config(data, path.resolve())


def user_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("postcheck")) / CONFIG_NAME


def discover(explicit: Path | None = None, cwd: Path | None = None) -> Path | None:
    """The config file to use, in DESIGN §3's order, or None."""
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    user = user_config_path()
    return user if user.is_file() else None


def resolve_config(explicit: Path | None = None) -> Config:
    """Discover and load the config; with none, the defaults (generic pack)."""
    path = discover(explicit)
    if path is None:
        return Config(None, _defaults(), {k: "default" for k in _defaults()})
    return load_config(path)
