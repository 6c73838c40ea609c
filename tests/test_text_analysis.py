"""The text-analysis layer below the rules: the clean view and its map back, the
one tokenizer, the register index, the vocabularies, and the two ways of finding
unknown people ([nlp] model = "none", and a trained spaCy pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import School, school_toml
from postcheck.config import parse_config
from postcheck.register import Person, Register
from postcheck.text import vocab
from postcheck.text.analysis import TextIndex, analyse
from postcheck.text.clean import clean
from postcheck.text.index import variants

# --- the clean view ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("Le\u200bo and Le\u00ado", "Leo and Leo"),
        ("L\u0435\u043e", "Leo"),  # Cyrillic look-alikes inside a word
        ("\uff21\uff4d\uff45\uff4c\uff49\uff41", "Amelia"),  # full-width
        ("**Amelia** *Smith*", "Amelia Smith"),
        ("<b>Amelia</b> <i>Smith</i> &amp; co", "Amelia Smith & co"),
        ('[caption id="1"]Amelia[/caption] [removed]', "Amelia [removed]"),
        ("see [our site](https://x.org)", "see our site https://x.org"),
        ("# Sports day\nWell done", "Sports day\nWell done"),
        ("red\x1b[31m alert\x07", "red alert"),
        ("Zoe\u0308", "Zoë"),  # a combining accent joins its letter
    ],
)
def test_clean_view(text: str, view: str) -> None:
    assert clean(text).text == view


@pytest.mark.parametrize("text", ["What the f*** is this", "bl**dy hell", "b**ch and f**k", "5 * 3 * 2"])
def test_masks_and_arithmetic_keep_their_asterisks(text: str) -> None:
    assert clean(text).text == text


def test_clean_spans_map_back_to_the_users_characters() -> None:
    text = "Well done **Amelia** L\u0435\u200bo!"
    c = clean(text)
    start = c.text.index("Amelia")
    assert c.evidence(start, start + len("Amelia")) == "Amelia"
    start = c.text.index("Leo")
    assert c.evidence(start, start + 3) == "L\u0435\u200bo"


def test_russian_words_are_left_alone() -> None:
    text = "Привет, мир"  # no Latin letters, and letters with no look-alike
    assert clean(text).text == text


# --- the index and the tokenizer -----------------------------------------------------


def test_name_variants_cover_hyphens_spaces_apostrophes_and_joins() -> None:
    assert set(variants(("abu", "-", "bakr"))) == {("abu", "-", "bakr"), ("abu", "bakr"), ("abubakr",)}
    assert ("obrien",) in set(variants(("o'brien",))) and ("o", "brien") in set(variants(("o'brien",)))


def _index(people: tuple[Person, ...], **config: object) -> TextIndex:
    data = {
        "trust": {"name": "The Enquire Learning Trust", "schools": ["Oakfield Primary Academy"]},
        **config,
    }
    cfg = parse_config(data, Path("/tmp/x/postcheck.toml"))
    return TextIndex(cfg, Register(pupils=people))


REGISTER = (
    Person("P1", "Amelia", "Smith", ("Millie",)),
    Person("P2", "Zoë", "van der Berg"),
    Person("P3", "Tiwa", "Eze-Stanton"),
    Person("P4", "Grace", "Hill"),
)


def _people(text: str, index: TextIndex) -> list[tuple[str, str, str, tuple[str, ...]]]:
    a = analyse(text, index)
    return [(m.kind, m.form, a.evidence(*a.chars(m)), tuple(p.id for p in m.pupils)) for m in a.people]


def test_one_tokenizer_finds_register_names_in_every_form() -> None:
    index = _index(REGISTER)
    found = _people(
        "ZOE VAN DER BERG met Amelya Smith, #WellDoneTiwa and @tiwa_eze_stanton. Millie's poem.", index
    )
    assert ("pupil", "full", "ZOE VAN DER BERG", ("P2",)) in found
    assert ("pupil", "full", "Amelya Smith", ("P1",)) in found  # a one-letter typo
    assert ("pupil", "first", "Tiwa", ("P3",)) in found  # hashtag part
    assert ("pupil", "full", "tiwa_eze_stanton", ("P3",)) in found  # handle parts, hyphen variant
    assert ("pupil", "first", "Millie", ("P1",)) in found  # preferred name, possessive


def test_word_names_count_only_when_used_as_names() -> None:
    index = _index(REGISTER)
    assert _people("By the grace of God we won. Grace Academy is closed. Hill walking.", index) == []
    assert [p[2] for p in _people("Well done Grace! Grace scored twice.", index)] == ["Grace", "Grace"]


def test_titles_roles_works_and_stories_are_not_unknown_people() -> None:
    index = _index(REGISTER)
    text = (
        "Mrs Harrowby will be leaving us. Our cook manager Louise was a finalist. We read Snow Woman by "
        "David McKee. The children dressed as Mario and Luigi. 'Books are friends.' - Groucho Marx. "
        "We learnt about Frederick Douglass in assembly."
    )
    kinds = {(k, e) for k, _, e, _ in _people(text, index)}
    assert ("adult", "Mrs Harrowby") in kinds and ("adult", "Louise") in kinds
    assert not [k for k, _ in kinds if k == "unknown"], kinds


def test_unknown_people_are_full_names_and_first_names_where_a_pupil_goes() -> None:
    index = _index(REGISTER)
    found = _people("Well done Ava! Thanks to Olivia Bennett. Maria would agree.", index)
    unknown = [e for k, _, e, _ in found if k == "unknown"]
    assert unknown == ["Ava", "Olivia Bennett"]
    assert ("named", "name", "Maria", ()) in found  # a person (it identifies), not reported


def test_the_index_is_built_once_per_session_not_per_text() -> None:
    index = _index(REGISTER)
    first = index.names
    analyse("Amelia", index)
    assert index.names is first
    other = _index(REGISTER)
    assert other.names is not first  # a different session builds its own


# --- vocabularies --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(vocab.SCHEMAS))
def test_every_vocabulary_loads_against_its_schema(name: str) -> None:
    assert vocab.table(name)


def test_a_vocabulary_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(vocab.VocabularyError, match="unknown key 'titels'"):
        vocab._check_table({"titels": []}, vocab.SCHEMAS["text/names.toml"], "names.toml")
    with pytest.raises(vocab.VocabularyError, match="roles: expected a list of strings"):
        vocab._check(["ok", 3], vocab.STR_LIST, "names.toml.roles")


# --- [nlp] model: rules only, or a trained pipeline ------------------------------------


def _train_person_ner(folder: Path) -> Path:
    """A small spaCy pipeline with a trained ``ner`` component (PERSON), saved to disk."""
    import random

    import spacy
    from spacy.training import Example

    spacy.util.fix_random_seed(7)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("PERSON")
    names = ["Xanthe Okonkwo", "Bartholomew Quist", "Ingrid Tallis", "Kofi Mensah", "Yusra Adeyemi"]
    frames = ["Well done {} for a super poem.", "Thanks to {} for the cakes.", "{} joined us today.",
              "We welcome {} to the class.", "A lovely card from {} arrived."]  # fmt: skip
    data = []
    for name in names:
        for frame in frames:
            text = frame.format(name)
            start = text.index(name)
            data.append((text, {"entities": [(start, start + len(name), "PERSON")]}))
    examples = [Example.from_dict(nlp.make_doc(t), a) for t, a in data]
    nlp.initialize(lambda: examples)
    for _ in range(30):
        random.shuffle(examples)
        nlp.update(examples, drop=0.1)
    path = folder / "person-ner"
    nlp.to_disk(path)
    return path


@pytest.mark.slow
def test_a_trained_pipeline_finds_names_the_given_name_list_lacks(
    cli, school: School, tmp_path: Path
) -> None:
    model = _train_person_ner(tmp_path)
    draft = tmp_path / "draft.txt"
    draft.write_text("Well done Xanthe Okonkwo for a super poem.", encoding="utf-8")
    school.write_config(school_toml("enquire", f'\n[nlp]\nmodel = "{model}"\n'))
    res = cli("check", draft, "--config", school.config, "--channel", "official", "--format", "json")
    post = json.loads(res.stdout)["posts"][0]
    assert [(f["rule"], f["evidence"]) for f in post["findings"]] == [("unknown-person", "Xanthe Okonkwo")]
    assert any("PERSON entities of the trained spaCy pipeline" in n for n in post["notes"])
    # rules only: the given-name list does not know Xanthe
    school.write_config(school_toml("enquire", '\n[nlp]\nmodel = "none"\n'))
    res = cli("check", draft, "--config", school.config, "--channel", "official", "--format", "json")
    post = json.loads(res.stdout)["posts"][0]
    assert post["findings"] == []
    assert any("common given names (rules only" in n for n in post["notes"])


def test_a_missing_trained_pipeline_is_a_configuration_error(cli, school: School, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Hello.", encoding="utf-8")
    school.write_config(school_toml("enquire", '\n[nlp]\nmodel = "en_core_web_nonexistent"\n'))
    res = cli("check", draft, "--config", school.config)
    assert res.exit_code == 78
    assert "en_core_web_nonexistent" in res.output and "Traceback" not in res.output


def test_rules_only_is_the_default() -> None:
    cfg = parse_config({}, Path("/tmp/x/postcheck.toml"))
    assert cfg.get("nlp.model") == "none"
