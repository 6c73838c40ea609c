"""Phrase lists are compiled only for texts that could match: the answer must
always be the full regex's own, for every shipped vocabulary, on real drafts and on
each phrase written as a user might (capitals, hyphens, inside a sentence)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postcheck.text import vocab
from postcheck.text.community import phrase_regex
from postcheck.text.phrases import first_words

DRAFTS = sorted((Path(__file__).parent / "corpus" / "drafts").glob("*.txt"))


def _lists() -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for name in ("text/offence.toml", "text/adverse.toml", "text/community.toml"):
        for key, value in vocab.table(name).items():
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                out.append((f"{name}:{key}", tuple(value)))
    for g in vocab.table("text/confidential.toml")["group"]:
        for key in ("terms", "unless", "benign"):
            if g.get(key):
                out.append((f"confidential:{g['name']}:{key}", tuple(g[key])))
    return out


LISTS = _lists()


def _texts(phrases: tuple[str, ...]) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in DRAFTS]
    for p in phrases:
        plain = p.replace("{n}", "7").replace("{s}", "s").replace("{head}", "headteacher")
        texts += [
            f"Today {plain} again.",
            plain.upper(),
            plain.title().replace(" ", "-"),
            f"({plain}!)",
            f"x{plain}",  # not at a word start: no match either way
        ]
    return texts


def test_the_lists_are_found() -> None:
    assert len(LISTS) > 20 and len(DRAFTS) > 100


@pytest.mark.parametrize(("name", "phrases"), LISTS, ids=[n for n, _ in LISTS])
def test_a_phrase_list_finds_what_its_full_regex_finds(name: str, phrases: tuple[str, ...]) -> None:
    lazy = phrase_regex(phrases)
    full = re.compile(lazy.pattern, lazy.flags)
    for text in _texts(phrases):
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in full.finditer(text)], text
        got, want = lazy.search(text), full.search(text)
        assert (got and got.span()) == (want and want.span()), text


def test_a_text_with_no_first_word_never_compiles_the_list() -> None:
    lazy = phrase_regex(("kick off", "kicked off"))
    assert lazy.search("A lovely sunny day at the seaside.") is None
    assert lazy._regex is None  # nothing was compiled
    assert lazy.search("It all KICKED-OFF at lunch").group() == "KICKED-OFF"


def test_phrases_without_a_plain_first_word_are_always_searched() -> None:
    assert first_words(("'s a joke", "liar")) is None
    assert first_words(("teacher{s}", "head")) is None
    assert first_words(("year {n}", "head")) == frozenset({"year", "head"})
