"""The text engine: folding, the name tokenizer, typo matching, the cached
register matchers and the shared spaCy doc."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from postcheck import nlp
from postcheck.checks import CheckContext
from postcheck.config import parse_config
from postcheck.inputs import TextDoc
from postcheck.policy import load_policy
from postcheck.register import Person, Register


def test_fold_removes_accents_keeps_length_and_unifies_apostrophes() -> None:
    assert nlp.fold("Zoë Renée Siobhán O’Brien") == "Zoe Renee Siobhan O'Brien"
    text = "Chloé’s ZOË"
    assert len(nlp.fold(text)) == len(text)
    assert nlp.fold("Łukasz") == "Łukasz"  # no decomposition: left as it is, never dropped


def test_tokenize_offsets_point_into_the_original_text() -> None:
    text = "Well done Zoë’s team! #WellDoneAmelia @amelia_smith"
    toks = nlp.tokenize(text)
    for t in toks:
        assert text[t.start : t.end] == t.text
    words = [(t.norm, t.tag) for t in toks if t.word]
    assert words == [
        ("well", False),
        ("done", False),
        ("zoe", False),
        ("s", False),
        ("team", False),
        ("well", True),
        ("done", True),
        ("amelia", True),
        ("amelia", True),
        ("smith", True),
    ]


def test_tokenize_marks_sentence_starts_but_not_after_titles_or_initials() -> None:
    toks = nlp.tokenize("Thanks to Mrs. Patel and Amelia S. for helping. Grace\nHope won")
    starts = [t.text for t in toks if t.word and t.sent_start]
    assert starts == ["Thanks", "Grace", "Hope"]


def test_one_typo_counts_one_edit_or_one_swap() -> None:
    assert nlp.one_typo("amelya", "amelia")  # changed
    assert nlp.one_typo("amlia", "amelia")  # dropped
    assert nlp.one_typo("ameliia", "amelia")  # added
    assert nlp.one_typo("ameila", "amelia")  # swapped neighbours
    assert not nlp.one_typo("amy", "amelia")
    assert not nlp.one_typo("aimela", "amelia")  # two edits
    assert not nlp.one_typo("josef", "joseph")


def test_surname_forms_cover_parts_of_double_barrelled_and_particle_names() -> None:
    assert nlp.surname_forms("Patel-Jones") == [("patel", "-", "jones"), ("patel",), ("jones",)]
    assert nlp.surname_forms("van der Berg") == [("van", "der", "berg"), ("berg",)]
    assert nlp.surname_forms("O'Brien") == [("o", "'", "brien")]


def _register() -> Register:
    return Register(
        pupils=(
            Person("P1", "Amelia", "Smith", ("Millie",)),
            Person("P2", "Zoë", "van der Berg"),
        ),
        staff=(Person("S1", "Sarah", "Whitfield", is_staff=True),),
    )


def test_name_index_is_built_once_per_register_and_vocab() -> None:
    pipeline = nlp.base_pipeline("none")
    reg = _register()
    first = nlp.name_index(reg, pipeline.vocab)
    assert nlp.name_index(reg, pipeline.vocab) is first
    other = nlp.name_index(_register(), pipeline.vocab)  # an equal but different register
    assert other is not first
    assert ("zoe",) in first.forms and ("van", "der", "berg") in first.forms
    assert [r for _, r in first.forms[("millie",)]] == ["given"]


def test_register_matches_find_exact_multi_token_and_typo_names() -> None:
    pipeline = nlp.base_pipeline("none")
    index = nlp.name_index(_register(), pipeline.vocab)
    toks = nlp.tokenize("ZOE VAN DER BERG met Amelya and Sarah")
    found = {(m.form, m.fuzzy) for m in nlp.register_matches(toks, index)}
    assert (("zoe",), False) in found
    assert (("van", "der", "berg"), False) in found
    assert (("amelia",), True) in found
    assert (("sarah",), False) in found


def test_typo_matching_skips_common_words_and_other_known_names() -> None:
    pipeline = nlp.base_pipeline("none")
    reg = Register(pupils=(Person("P1", "Grace", "Hill"), Person("P2", "Sophia", "Lee")))
    index = nlp.name_index(reg, pipeline.vocab)
    toks = nlp.tokenize("a trace of the grade; Sophie came")  # Sophie is a name of its own
    assert [m for m in nlp.register_matches(toks, index) if m.fuzzy] == []


def test_lexicon_loads_the_shipped_word_lists() -> None:
    lex = nlp.lexicon()
    assert "olivia" in lex.given and "zoe" in lex.given
    assert lex.kind("may") == "calendar" and lex.kind("will") == "modal"
    assert lex.kind("grace") == "word" and lex.kind("paris") == "place"
    assert lex.kind("olivia") is None and lex.kind("amelia") is None
    assert "the" in lex.common and "trace" in lex.common


@pytest.fixture
def ctx(tmp_path: Path) -> CheckContext:
    config = parse_config({"nlp": {"model": "none"}}, tmp_path / "postcheck.toml")
    return CheckContext(config, load_policy("enquire"), "personal", _register(), today=dt.date(2025, 1, 1))


def test_spacy_doc_has_sentences_and_is_made_once_per_text(ctx: CheckContext) -> None:
    doc = TextDoc("Well done Amelia. Sports day is on Friday!", "draft.txt")
    sdoc = nlp.spacy_doc(doc, ctx)
    assert [s.text for s in sdoc.sents] == ["Well done Amelia.", "Sports day is on Friday!"]
    assert nlp.spacy_doc(doc, ctx) is sdoc
    assert not nlp.has_person_entities(nlp.base_pipeline("none"))


def test_auto_without_a_trained_pipeline_is_the_blank_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp.importlib.util, "find_spec", lambda name: None)
    assert nlp.model_name("auto") is None
    assert nlp.model_name("none") is None
    assert nlp.model_name("en_core_web_md") == "en_core_web_md"
