"""Masked and disguised profanity (postcheck.text.masked): what is found, what it
hides and why, and the ordinary text that must stay clean."""

from __future__ import annotations

import pytest

from postcheck.text.masked import LETTERS, LOOKALIKE, MARKER, SLOT, SPELLED, find_masked, unmask


def hits(text: str) -> list[tuple[str, str | None, str]]:
    return [(h.text, h.word, h.why) for h in find_masked(text)]


@pytest.mark.parametrize(
    ("text", "masked", "word"),
    [
        ("What a f***ing week it has been.", "f***ing", "fucking"),
        ("F*** this job, honestly.", "F***", "fuck"),
        ("Set 3 were absolute C**** this morning.", "C****", "cunts"),
        ("You just pick which bulls*** to put up with.", "bulls***", "bullshit"),
        ("It was bl**dy freezing on the field.", "bl**dy", "bloody"),
        ("Tell them to f--k off.", "f--k", "fuck"),
        ("That is a load of b*llocks.", "b*llocks", "bollocks"),
        ("He can f--- right off.", "f---", "fuck"),
        ("Kick a** at the tournament!", "a**", "ass"),
        ("The sh#t hit the fan at break.", "sh#t", "shit"),
    ],
)
def test_letters_replaced_by_symbols_are_unmasked(text: str, masked: str, word: str) -> None:
    found = find_masked(text)
    assert [(h.text, h.word) for h in found] == [(masked, word)]
    assert found[0].why == LETTERS
    assert text[found[0].start : found[0].end] == masked


@pytest.mark.parametrize(
    ("text", "masked", "word"),
    [
        ("What a sh!t week.", "sh!t", "shit"),
        ("Stop being a b1tch.", "b1tch", "bitch"),
        ("Don't be such a tw@t about it.", "tw@t", "twat"),
    ],
)
def test_look_alike_symbols_and_digits(text: str, masked: str, word: str) -> None:
    assert hits(text) == [(masked, word, LOOKALIKE)]


@pytest.mark.parametrize(
    ("text", "masked", "word"),
    [
        ("Well f u c k that then.", "f u c k", "fuck"),
        ("Total s.h.i.t from start to finish.", "s.h.i.t", "shit"),
        ("She called me a b-i-t-c-h.", "b-i-t-c-h", "bitch"),
        ("Just f. u. c. k. off.", "f. u. c. k", "fuck"),
    ],
)
def test_words_spelt_out_letter_by_letter(text: str, masked: str, word: str) -> None:
    assert hits(text) == [(masked, word, SPELLED)]


@pytest.mark.parametrize(
    "text",
    [
        "The parent said he was a (expletive) idiot.",
        "Then the head told him to [expletive deleted].",
        "And the (bleep) ref gave a penalty.",
        "He shouted [censored] at the bus driver.",
    ],
)
def test_expletive_markers(text: str) -> None:
    (found,) = find_masked(text)
    assert found.why == MARKER and found.word is None
    assert found.text.strip("()[]").startswith(("expletive", "bleep", "censored"))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Sorry you --- got sent home again.", "---"),
        ("And yes I'm a --- teacher.", "---"),
        ("What the #$%& was that lesson?", "#$%&"),
        ("Get out of my classroom you ---!", "---"),
    ],
)
def test_dash_or_symbol_runs_in_place_of_a_word(text: str, masked: str) -> None:
    assert hits(text) == [(masked, None, SLOT)]


@pytest.mark.parametrize(
    "text",
    [
        "Year 11 got 14 A* grades and three A** in Further Maths.",
        "Rated 5* by parents on the survey.",
        "**Important**: the school is closed on Monday.",
        "Thank you --- we loved every minute.",
        "It was great--really great--to see you all.",
        "I was so-- excited to see the results.",
        "The trip to the U.S.A. and our P.E. kit list.",
        "Email f.uck@example.com or follow @shitbot (neither is ours).",
        "A Q&A session with the head, and a co-operative game.",
        "Our school is closed on Monday; it is an INSET day.",
        "Pupils will assess the class's work in the art room.",
        "The D*D*D* BTEC results were brilliant.",
        "Mark the register -- then line up at the door.",
        "Some pupils --- not all --- forgot their kit.",
    ],
)
def test_ordinary_text_is_clean(text: str) -> None:
    assert find_masked(text) == []


def test_a_plainly_written_word_is_not_a_disguise() -> None:
    assert unmask("shit") is None
    assert find_masked("What a shit week.") == []


def test_candidates_name_the_common_word_first_and_keep_the_others() -> None:
    word, why, candidates = unmask("f***")
    assert (word, why) == ("fuck", LETTERS)
    assert len(candidates) > 1 and candidates[0] == "fuck"


def test_a_mask_that_fits_no_listed_word_is_not_reported() -> None:
    assert unmask("m*th") is None
    assert find_masked("Our m*th lessons are great.") == []


def test_a_custom_vocabulary_replaces_the_default() -> None:
    assert hits("You absolute pl*nk.") == []
    found = find_masked("You absolute pl*nk.", vocabulary=["plonker", "plank"])
    assert [(h.text, h.word, h.why) for h in found] == [("pl*nk", "plank", LETTERS)]


def test_several_masks_in_one_text_come_back_in_order() -> None:
    text = "F*** ur job. F*** the (expletive) inspectors and their bulls***."
    assert [h.text for h in find_masked(text)] == ["F***", "F***", "(expletive)", "bulls***"]
    assert [h.start for h in find_masked(text)] == sorted(h.start for h in find_masked(text))
