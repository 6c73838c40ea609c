"""The one loader of the text layer's vocabularies (``postcheck/data/...``).

Word lists and phrase lists are data, not code. Two shapes:

* ``.toml`` files with ``schema = 1`` and the keys declared in :data:`SCHEMAS`
  (each key a list of strings, a table of string lists, a table of numbers or
  an array of tables with declared keys). An unknown key, a missing required key
  or a value of the wrong type is an error naming the file and the key: a typo in
  a list must not silently switch a check off.
* ``.txt`` word lists: one entry per line, ``#`` starts a comment.

Everything is loaded once per process and cached.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

STR_LIST = "list of strings"
STR_TABLE = "table of string lists"
NUM_TABLE = "table of numbers"

# file -> key -> (kind, required). Array-of-tables keys give their own schema.
SCHEMAS: dict[str, dict[str, Any]] = {
    "text/names.toml": {
        "titles": (STR_LIST, True),
        "roles": (STR_LIST, True),
        "work_cues": (STR_LIST, True),
        "cultural_cues": (STR_LIST, True),
        "pupil_cues": (STR_LIST, True),
        "pupil_after": (STR_LIST, True),
        "pupil_verbs": (STR_LIST, True),
        "name_verbs": (STR_LIST, True),
        "modal_next": (STR_LIST, True),
        "place_prev": (STR_LIST, True),
        "determiners": (STR_LIST, True),
        "institutions": (STR_LIST, True),
        "groups": (STR_LIST, True),
        "place_prefix": (STR_LIST, True),
        "particles": (STR_LIST, True),
        "fiction_cues": (STR_LIST, True),
        "not_names": (STR_LIST, True),
    },
    "text/community.toml": {
        "school_words": (STR_LIST, True),
        "roles": (STR_LIST, True),
        "self_roles": (STR_LIST, True),
        "generic": (STR_LIST, True),
        "person_nouns": (STR_LIST, True),
        "unique_roles": (STR_LIST, True),
    },
    "text/confusables.toml": {
        "latin": (STR_TABLE, True),
    },
    "text/confidential.toml": {
        "benign": (STR_LIST, True),
        "group": (
            {
                "name": (str, True),
                "label": (str, True),
                "terms": (STR_LIST, False),
                "exact": (STR_LIST, False),
                "person": (bool, False),
                "also": ("list of string lists", False),
                "unless": (STR_LIST, False),
                "benign": (STR_LIST, False),
                "window": (int, False),
            },
            True,
        ),
    },
    "text/offence.toml": {
        "mild": (STR_LIST, True),
        "dehumanising": (STR_LIST, True),
        "insults": (STR_LIST, True),
        "links": (STR_LIST, True),
        "groups": (STR_LIST, True),
        "predicates": (STR_LIST, True),
        "educational": (STR_LIST, True),
        "criticism": (STR_LIST, True),
        "benign": ({"word": (str, True), "before": (STR_LIST, False), "after": (STR_LIST, False)}, True),
    },
    "text/adverse.toml": {
        "attack": (STR_LIST, True),
        "mockery": (STR_LIST, True),
        "laughter": (STR_LIST, True),
        "features": (STR_LIST, True),
        "tone": (STR_LIST, True),
        "contempt": (STR_LIST, True),
    },
}


class VocabularyError(Exception):
    """A shipped data file does not match its schema (a packaging bug)."""


def _check(value: Any, kind: Any, where: str) -> None:
    ok: bool
    if kind == STR_LIST:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == STR_TABLE:
        ok = isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
        )
    elif kind == NUM_TABLE:
        ok = isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values())
    elif kind == "list of string lists":
        ok = isinstance(value, list) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value
        )
    elif isinstance(kind, type):
        ok = isinstance(value, kind)
    else:  # an array of tables with its own schema
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise VocabularyError(f"{where}: expected an array of tables")
        for i, table in enumerate(value, 1):
            _check_table(table, kind, f"{where}[{i}]")
        return
    if not ok:
        raise VocabularyError(f"{where}: expected a {kind if isinstance(kind, str) else kind.__name__}")


def _check_table(data: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    for key in data:
        if key not in schema:
            raise VocabularyError(f"{where}: unknown key {key!r}; expected one of {', '.join(schema)}")
    for key, (kind, required) in schema.items():
        if key not in data:
            if required:
                raise VocabularyError(f"{where}: missing key {key!r}")
            continue
        _check(data[key], kind, f"{where}.{key}")


def _read(name: str) -> str:
    return (resources.files("postcheck") / "data" / name).read_text(encoding="utf-8")


@cache
def table(name: str) -> dict[str, Any]:
    """A ``.toml`` vocabulary, checked against its schema (``name`` as in SCHEMAS)."""
    schema = SCHEMAS.get(name)
    if schema is None:
        raise VocabularyError(f"{name}: no schema declared for this vocabulary")
    data = tomllib.loads(_read(name))
    if data.pop("schema", None) != 1:
        raise VocabularyError(f"{name}: schema: expected 1")
    _check_table(data, schema, name)
    return data


@cache
def words(name: str) -> tuple[str, ...]:
    """A ``.txt`` word list: one entry per line, ``#`` starts a comment."""
    out = []
    for line in _read(name).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return tuple(out)


@cache
def word_set(name: str) -> frozenset[str]:
    """A ``.txt`` word list, lower case, as a set."""
    return frozenset(w.lower() for w in words(name))
