"""The one spaCy pipeline of a process.

``[nlp] model`` chooses it, explicitly:

* ``"none"`` (the default): rules only. ``spacy.blank("en")`` tokenizes and a
  sentencizer splits sentences; unknown people are found with the shipped list
  of common given names and the rules of :mod:`postcheck.text.unknown`.
* a spaCy package name (``"en_core_web_sm"``) or the path of a saved pipeline:
  that trained pipeline also runs, and its PERSON entities are the candidates
  for unknown people (the same rules then place them). Only its tokenizer, its
  ``tok2vec`` and its ``ner`` run. A pipeline that is not installed is a
  configuration error (exit 78), reported before any check runs.
* ``"auto"``: ``en_core_web_sm`` when it is installed, else rules only.
"""

from __future__ import annotations

import gc
import importlib.util
import threading
from pathlib import Path
from typing import Any

from postcheck.errors import ConfigError

_PIPELINES: dict[str, Any] = {}
_lock = threading.Lock()  # a post's photos may be checked beside its drafts
DEFAULT_TRAINED = "en_core_web_sm"
# Components of a trained pipeline that postcheck does not use.
_UNUSED = ["parser", "tagger", "morphologizer", "lemmatizer", "attribute_ruler", "senter", "textcat"]


def model_name(setting: str) -> str | None:
    """The trained pipeline to load for ``[nlp] model``, or None for rules only."""
    if setting in ("none", ""):
        return None
    if setting == "auto":
        return DEFAULT_TRAINED if importlib.util.find_spec(DEFAULT_TRAINED) else None
    return setting


def check_setting(setting: str) -> None:
    """Raise :class:`ConfigError` when ``[nlp] model`` names a pipeline that is not there."""
    name = model_name(setting)
    if name is None:
        return
    if Path(name).expanduser().is_dir() or importlib.util.find_spec(name.replace("-", "_")) is not None:
        return
    raise ConfigError(
        f"[nlp] model = {setting!r}: the spaCy pipeline {name!r} is not installed",
        hint='install it, or set [nlp] model = "none" (rules only)',
    )


def pipeline(setting: str = "none") -> Any:
    """The spaCy Language for ``setting``, built once per process."""
    if setting in _PIPELINES:
        return _PIPELINES[setting]
    with _lock:
        if setting not in _PIPELINES:
            _PIPELINES[setting] = _build(setting)
    return _PIPELINES[setting]


def _build(setting: str) -> Any:
    import spacy

    name = model_name(setting)
    if name is None:
        nlp = spacy.blank("en")
    else:
        check_setting(setting)
        try:
            nlp = spacy.load(name, exclude=_UNUSED)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"[nlp] model = {setting!r}: the spaCy pipeline {name!r} could not be loaded ({exc})",
                hint='reinstall it, or set [nlp] model = "none" (rules only)',
            ) from exc
    if not nlp.has_pipe("sentencizer"):
        nlp.add_pipe("sentencizer")
    # spaCy's modules and the pipeline stay for the life of the process: out of the
    # garbage collector's way, a collection while the text is analysed no longer
    # walks them (each full pass cost about 40 ms)
    gc.freeze()
    return nlp


def has_entities(nlp: Any) -> bool:
    """Whether the pipeline labels PERSON entities (a trained ``ner``, or an entity
    ruler that a school has added)."""
    return nlp.has_pipe("ner") or nlp.has_pipe("entity_ruler")


def describe(nlp: Any) -> str:
    name = nlp.meta.get("name", "pipeline")
    lang = nlp.meta.get("lang", "xx")
    version = nlp.meta.get("version", "")
    return f"PERSON entities of the trained spaCy pipeline {lang}_{name} {version}".strip()
