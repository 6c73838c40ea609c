"""The one spaCy pipeline of a process, and the analysed doc of each text.

``[nlp] model`` in the config chooses the pipeline:

* ``"auto"`` (default): ``en_core_web_sm`` when it is installed, else
  ``spacy.blank("en")`` with a sentencizer;
* ``"none"``: always the blank pipeline;
* a package name: that trained pipeline (a config error if it is missing).

Text checks call :func:`spacy_doc`, which analyses each text once per post.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from postcheck.errors import ConfigError

_PIPELINES: dict[str, Any] = {}
DEFAULT_TRAINED = "en_core_web_sm"


def model_name(setting: str) -> str | None:
    """The trained pipeline to load for ``[nlp] model``, or None for blank."""
    if setting == "none":
        return None
    if setting == "auto":
        return DEFAULT_TRAINED if importlib.util.find_spec(DEFAULT_TRAINED) else None
    return setting


def base_pipeline(setting: str = "auto") -> Any:
    """The spaCy Language for ``setting``, built once per process."""
    if setting in _PIPELINES:
        return _PIPELINES[setting]
    import spacy

    name = model_name(setting)
    if name is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        try:
            # Only the components that feed our rules: entities and sentences.
            nlp = spacy.load(name, exclude=["lemmatizer", "textcat"])
        except OSError as exc:
            raise ConfigError(
                f"[nlp] model = {setting!r}: the spaCy pipeline {name!r} is not installed",
                hint='install it, or set [nlp] model = "auto" or "none"',
            ) from exc
        if not nlp.has_pipe("parser") and not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer")
    _PIPELINES[setting] = nlp
    return nlp


def is_trained(nlp: Any) -> bool:
    return nlp.has_pipe("ner")


def spacy_doc(doc: Any, ctx: Any) -> Any:
    """The spaCy Doc of a :class:`postcheck.inputs.TextDoc`, made once per text."""

    def make() -> Any:
        return base_pipeline(ctx.config.get("nlp.model"))(doc.text)

    return ctx.memo("spacy-doc", f"{doc.input}\0{doc.source}\0{hash(doc.text)}", make)
