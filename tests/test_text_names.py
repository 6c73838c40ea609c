"""pupil-full-name, pupil-first-name and unknown-person, through the runner.

The register below has the hard cases of real drafts: word-names (Grace, Will,
May, Hope, Summer, Rose, Jack), a shared first name with different consents,
accents, a hyphenated and a multi-part surname, nicknames, an expired consent
and a never_publish child. Staff: Sarah Whitfield, Mark Evans, Faith Robinson.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from postcheck.catalogue import TEXT_RULES
from postcheck.config import load_config
from postcheck.model import InputFile, Post, PostResult, Severity
from postcheck.policy import load_policy
from postcheck.register import load_register
from postcheck.runner import Session, check_post

PUPILS = """\
pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,never_publish,photos
P001,Amelia,Smith,Millie,6,yes,first,2099-07-31,,
P002,Oliver,Brown,Ollie,5,yes,yes,2099-07-31,,
P003,Zoë,Okafor,,4,no,no,,,
P004,Harry,Patel-Jones,,6,yes,yes,2020-07-31,,
P005,Leo,Carter,,3,yes,yes,,yes,
P006,Grace,Hill,,5,yes,no,,,
P007,Will,Turner,,5,yes,no,,,
P008,May,Lee,,5,yes,no,,,
P009,Amelia,Jones,,2,yes,yes,2099-07-31,,
P010,Hope,van der Berg,,2,yes,no,,,
P011,Summer,Ali,,1,yes,no,,,
P012,Rose,Green,,1,yes,no,,,
P013,Jack,Wood,,1,yes,no,,,
P014,Joseph,Kowalski,Joe;JoJo,3,yes,yes,2099-07-31,,
P015,Renee,Dubois,,3,yes,no,,,
P016,Oliver,Green,,4,yes,no,,,
"""
STAFF = "staff_id,first_name,last_name\nS001,Sarah,Whitfield\nS002,Mark,Evans\nS003,Faith,Robinson\n"
NAME_RULES = ("pupil-full-name", "pupil-first-name", "unknown-person")
TODAY = dt.date(2025, 1, 15)


def _toml(policy: str) -> str:
    others = ", ".join(f'"{r}"' for r in TEXT_RULES if r not in NAME_RULES)
    return f"""\
policy = "{policy}"

[trust]
name = "The Enquire Learning Trust"
aliases = ["Enquire", "ELT"]
schools = ["Oakfield Primary Academy", "St Grace's Infant School"]

[register]
pupils = "pupils.csv"
staff = "staff.csv"

[nlp]
model = "none"

[rules]
disable = [{others}, "official-authorisation"]
"""


@pytest.fixture
def register_dir(tmp_path: Path) -> Path:
    (tmp_path / "pupils.csv").write_text(PUPILS, encoding="utf-8")
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    for policy in ("enquire", "haybrook"):
        (tmp_path / f"{policy}.toml").write_text(_toml(policy), encoding="utf-8")
    return tmp_path


class Checker:
    def __init__(self, folder: Path, config_name: str | None = None) -> None:
        self.folder = folder
        self.config_name = config_name
        self._sessions: dict[tuple[str, str], Session] = {}

    def session(self, channel: str, policy: str) -> Session:
        key = (channel, policy)
        if key not in self._sessions:
            config = load_config(self.folder / f"{self.config_name or policy}.toml")
            self._sessions[key] = Session(
                config, load_policy(policy), channel, load_register(config), today=TODAY
            )
        return self._sessions[key]

    def __call__(self, text: str, channel: str = "personal", policy: str = "enquire") -> PostResult:
        post = Post("draft", (InputFile("draft.txt", "text", data=text.encode("utf-8")),))
        result = check_post(post, self.session(channel, policy))
        assert not [f for f in result.findings if f.rule == "check-error"], result.findings
        return result


@pytest.fixture
def check(register_dir: Path) -> Checker:
    return Checker(register_dir)


def found(result: PostResult, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def evidence(result: PostResult, rule: str) -> list[str]:
    return [f.evidence for f in found(result, rule)]


# --- pupil-full-name: positives ----------------------------------------------------------


def test_full_name_on_personal_blocks_with_span_and_no_name_in_person(check: Checker) -> None:
    text = "Well done Amelia Smith for a super assembly!"
    r = check(text)
    [f] = found(r, "pupil-full-name")
    assert f.severity == Severity.BLOCK and r.verdict == Severity.BLOCK
    assert f.span == (10, 22) and text[10:22] == "Amelia Smith" == f.evidence
    assert f.person == "P001" and f.label == "Amelia Smith"
    assert f.fixable and "Remove the name" in f.message
    assert set(f.clauses) == {"2.4", "2.5", "4.1"}


def test_full_name_any_case_and_possessives(check: Checker) -> None:
    r = check("So proud of amelia smith’s poem and AMELIA SMITH's painting.")
    assert evidence(r, "pupil-full-name") == ["amelia smith", "AMELIA SMITH"]
    assert not found(r, "pupil-first-name")


def test_full_name_with_preferred_name_and_surname_first(check: Checker) -> None:
    r = check("Millie Smith won. Register order: Smith, Amelia.")
    assert evidence(r, "pupil-full-name") == ["Millie Smith", "Smith, Amelia"]
    assert {f.person for f in found(r, "pupil-full-name")} == {"P001"}


def test_full_name_in_hashtags_and_handles(check: Checker) -> None:
    r = check("Brilliant! #AmeliaSmith #ameliasmith @amelia_smith")
    assert evidence(r, "pupil-full-name") == ["AmeliaSmith", "ameliasmith", "amelia_smith"]


def test_full_name_hyphenated_and_multi_part_surnames(check: Checker) -> None:
    r = check("Certificates for Harry Patel-Jones and Hope van der Berg.", channel="official")
    assert evidence(r, "pupil-full-name") == ["Harry Patel-Jones", "Hope van der Berg"]
    harry, hope = found(r, "pupil-full-name")
    assert "expired on 2020-07-31" in harry.detail  # consent yes, but expired
    assert "no consent to be named" in hope.detail
    # the consent itself is for the person at the keyboard only, never in the message
    assert "expired" not in harry.message and "consent" not in hope.message


def test_full_name_accents_both_ways(check: Checker) -> None:
    r = check("Zoe Okafor and Renée Dubois read aloud.")
    assert evidence(r, "pupil-full-name") == ["Zoe Okafor", "Renée Dubois"]
    assert [f.person for f in found(r, "pupil-full-name")] == ["P003", "P015"]


def test_full_name_with_a_one_letter_typo(check: Checker) -> None:
    r = check("Amelya Smith and Amlia Smith and Ameila Smith")
    assert evidence(r, "pupil-full-name") == ["Amelya Smith", "Amlia Smith", "Ameila Smith"]
    assert all("misspelling" in f.message for f in found(r, "pupil-full-name"))


def test_full_name_official_first_name_consent_says_remove_surname(check: Checker) -> None:
    r = check("Well done Amelia Smith!", channel="official")
    [f] = found(r, "pupil-full-name")
    assert f.severity == Severity.BLOCK
    assert "remove the surname or use initials" in f.detail
    assert "first name only" not in f.message


def test_full_name_never_publish_says_never_named(check: Checker) -> None:
    r = check("Leo Carter sang a solo.", channel="official")
    [f] = found(r, "pupil-full-name")
    assert "must never be named" in f.detail and f.person == "P005"
    assert f.variant == "never-publish"
    assert "never" not in f.message and "Carter" not in f.message.replace(f.evidence, "")


# --- pupil-full-name: negatives ----------------------------------------------------------


def test_full_name_allowed_on_official_with_full_consent(check: Checker) -> None:
    r = check("Congratulations to Oliver Brown and Joseph Kowalski.", channel="official")
    assert not found(r, "pupil-full-name")
    assert not found(r, "unknown-person")
    assert r.verdict == Severity.PASS


def test_first_name_with_initial_is_not_a_full_name(check: Checker) -> None:
    r = check("Star of the week: Amelia S. for her kindness.")
    assert not found(r, "pupil-full-name")
    [f] = found(r, "pupil-first-name")
    assert f.evidence == "Amelia S." and f.person == "P001"  # the initial rules out Amelia Jones
    assert "first name and initial" in f.message


def test_staff_full_name_is_not_a_pupil_or_unknown(check: Checker) -> None:
    r = check("Thanks to Sarah Whitfield and Mrs Whitfield, and to Mark Evans. Mark ran the stall.")
    assert r.findings == ()


def test_first_name_and_another_pupils_surname_is_not_a_full_name(check: Checker) -> None:
    r = check("Amelia Brown joined us")  # Amelia is P001/P009, Brown is P002's surname
    assert not found(r, "pupil-full-name")
    assert evidence(r, "pupil-first-name") == ["Amelia"]


def test_no_typo_matching_for_short_names_or_common_words(check: Checker) -> None:
    r = check("Lea Carter visited. The grade was a trace of grace.")
    assert not found(r, "pupil-full-name")
    assert not found(r, "pupil-first-name")


def test_word_names_in_lower_case_with_word_surnames_are_words(check: Checker) -> None:
    r = check("We planted a rose. Green leaves appeared, and the rose green shade was lovely.")
    assert not found(r, "pupil-full-name")
    assert not found(r, "pupil-first-name")


# --- pupil-first-name: positives ---------------------------------------------------------


def test_first_name_on_personal(check: Checker) -> None:
    r = check("Great goal from Ollie today")
    [f] = found(r, "pupil-first-name")
    assert f.person == "P002" and f.evidence == "Ollie" and f.severity == Severity.BLOCK
    assert f.fixable and f.span == (16, 21)


def test_nicknames_possessives_and_case(check: Checker) -> None:
    r = check("millie’s poem, Millie's song and JOJO's model")
    assert evidence(r, "pupil-first-name") == ["millie", "Millie", "JOJO"]
    assert [f.person for f in found(r, "pupil-first-name")] == ["P001", "P001", "P014"]


def test_hashtag_first_name_names_every_candidate(check: Checker) -> None:
    r = check("#WellDoneAmelia")
    [f] = found(r, "pupil-first-name")
    assert f.evidence == "Amelia"
    assert "P001" in f.message and "P009" in f.message  # every candidate, by register id
    assert "Amelia Smith" in f.detail and "Amelia Jones" in f.detail
    assert "Smith" not in f.message and "Jones" not in f.message


def test_shared_first_name_most_restrictive_consent_decides(check: Checker) -> None:
    r = check("A lovely poem by Oliver.", channel="official")
    [f] = found(r, "pupil-first-name")
    assert f.person == "P016"  # Oliver Green has no consent; Oliver Brown has full consent
    assert "Oliver Brown" in f.detail and "Oliver Green" in f.detail
    assert "Brown" not in f.message and "Green" not in f.message
    assert f.people == ("P016", "P002") and f.severity == Severity.WARN


def test_word_names_used_as_names(check: Checker) -> None:
    text = (
        "Well done Grace! Will helped at the stall. Congratulations to Summer. "
        "Rose and Amelia baked. Jack's model won. May read her poem. Everyone cheered for Hope today."
    )
    r = check(text)
    assert evidence(r, "pupil-first-name") == [
        "Grace",
        "Will",
        "Summer",
        "Rose",
        "Amelia",
        "Jack",
        "May",
        "Hope",
    ]


def test_first_name_typo_and_shouting(check: Checker) -> None:
    r = check("WELL DONE OLIVER! Joseoh read well.")
    assert evidence(r, "pupil-first-name") == ["OLIVER", "Joseoh"]
    assert found(r, "pupil-first-name")[1].person == "P014"


def test_never_publish_first_name_blocks_message(check: Checker) -> None:
    r = check("Leo made us laugh.", channel="official")
    [f] = found(r, "pupil-first-name")
    assert "must never be named" in f.detail and "never" not in f.message


def test_haybrook_pack_blocks_first_names_on_personal(check: Checker) -> None:
    r = check("Grace scored twice!", policy="haybrook")
    [f] = found(r, "pupil-first-name")
    assert f.severity == Severity.BLOCK and f.clauses


# --- pupil-first-name: negatives ---------------------------------------------------------


def test_word_names_used_as_words(check: Checker) -> None:
    text = (
        "By the grace of good weather we hope to finish in May. Will you come? "
        "Hope you all had a rose in the garden this summer. Sports day is on 3 May. "
        "He is a jack of all trades. Summer term starts soon. Mark the date! "
        "It may rain; we will see. The Grace of the dancers was lovely."
    )
    r = check(text)
    assert r.findings == ()


def test_title_case_heading_is_not_names(check: Checker) -> None:
    r = check("Sports Day Will Be Held In May\nPlease bring a hat.")
    assert r.findings == ()


def test_first_name_allowed_on_official_with_consent(check: Checker) -> None:
    r = check("Millie and Amelia S. and Joe and Ollie were brilliant.", channel="official")
    assert not found(r, "pupil-first-name")
    assert r.verdict == Severity.PASS


def test_staff_first_names_are_not_pupils(check: Checker) -> None:
    r = check("Sarah organised the trip and Faith drove the minibus. Mark scored for the staff.")
    assert r.findings == ()


def test_school_and_street_names_are_not_pupils(check: Checker) -> None:
    r = check("Our friends at St Grace's Infant School and Oakfield Primary Academy met on Oliver Street.")
    assert not found(r, "pupil-first-name")
    assert not found(r, "unknown-person")


# --- unknown-person --------------------------------------------------------------------


def test_unknown_full_name_but_not_titled_adults(check: Checker) -> None:
    """A title marks an adult (a member of staff, a parent, a visitor): not a pupil."""
    r = check("Thanks to Olivia Bennett for the cakes, and to Mrs Patel and Mr. Davies.")
    assert evidence(r, "unknown-person") == ["Olivia Bennett"]
    f = found(r, "unknown-person")[0]
    assert f.severity == Severity.WARN and f.person is None and f.fixable
    assert r.verdict == Severity.WARN


def test_unknown_first_name_sentence_initial(check: Checker) -> None:
    r = check("Ethan scored the winning goal.")
    assert evidence(r, "unknown-person") == ["Ethan"]


def test_a_titled_adult_with_a_pupils_name_is_not_the_pupil(check: Checker) -> None:
    r = check("A big thank you to Mrs Amelia Smith, our lollipop lady.")
    assert r.findings == ()


def test_a_first_name_in_passing_is_not_reported(check: Checker) -> None:
    """An unregistered first name with nothing that makes it a pupil's: an adult
    mentioned in passing, as in real newsletters ("Louise would agree")."""
    r = check("Isabella came to visit. Our cook manager Louise would agree.")
    assert not found(r, "unknown-person")


def test_unknown_person_reports_its_method(check: Checker) -> None:
    r = check("Well done Isabella!")
    assert evidence(r, "unknown-person") == ["Isabella"]
    assert any("unknown-person" in n and "given names" in n for n in r.notes)


def test_unknown_name_that_is_also_a_word_in_a_name_context(check: Checker) -> None:
    r = check("Well done Holly! Thanks to Ruby Clarke.")
    assert evidence(r, "unknown-person") == ["Holly", "Ruby Clarke"]


def test_unknown_not_trust_places_months_or_days(check: Checker) -> None:
    text = (
        "The Enquire Learning Trust and Oakfield Primary Academy visited Sheffield and Paris "
        "on Tuesday in June. Florence is lovely in April. See you on Wednesday!"
    )
    r = check(text)
    assert r.findings == ()


def test_unknown_not_sentence_initial_words(check: Checker) -> None:
    r = check("Hope you enjoyed it. Grant funding arrived. Frank discussions followed. Miss you all!")
    assert r.findings == ()


def test_unknown_not_pupils_or_staff(check: Checker) -> None:
    r = check("Oliver Brown and Sarah Whitfield and Mrs Whitfield.", channel="official")
    assert not found(r, "unknown-person")


def test_unknown_not_in_a_title_case_heading(check: Checker) -> None:
    r = check("Harvest Festival Assembly\nThe children sang beautifully.")
    assert r.findings == ()


# --- unknown-person with a trained pipeline's PERSON entities -------------------------


def test_unknown_person_uses_person_entities_of_a_trained_pipeline(
    check: Checker, register_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spacy

    from postcheck import nlp

    stand_in = spacy.blank("en")
    ruler = stand_in.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Xanthe Okonkwo"},
            {"label": "PERSON", "pattern": "Amelia Smith"},  # a pupil: pupil-full-name, not unknown
            {"label": "PERSON", "pattern": "Sarah Whitfield"},  # staff
            {"label": "PERSON", "pattern": [{"LOWER": "hope"}]},  # a word, sentence-initial
        ]
    )
    stand_in.add_pipe("sentencizer")
    monkeypatch.setitem(nlp._PIPELINES, "auto", stand_in)
    trained = register_dir / "trained.toml"
    trained.write_text(
        (register_dir / "enquire.toml").read_text().replace('model = "none"', 'model = "auto"')
    )
    r = Checker(register_dir, "trained")(
        "Hope you enjoyed it. Xanthe Okonkwo, Amelia Smith and Sarah Whitfield came."
    )
    assert evidence(r, "unknown-person") == ["Xanthe Okonkwo"]
    assert evidence(r, "pupil-full-name") == ["Amelia Smith"]
    assert any("PERSON entities" in n for n in r.notes)
    # the blank pipeline, by contrast, does not know "Xanthe"
    r = check("Xanthe Okonkwo came.")
    assert not found(r, "unknown-person")
    assert any("given names" in n for n in r.notes)


def test_word_names_inside_titles_and_proper_nouns(check: Checker) -> None:
    text = (
        "The choir sang Amazing Grace at the service. Last year we had a very convincing "
        "Fantastic Mr Fox! The painting hangs in Leeds Art Gallery."
    )
    r = check(text)
    assert r.findings == ()


def test_word_name_placed_in_a_class_is_a_name(check: Checker) -> None:
    r = check("May in my Year 3 class asked me whether teachers sleep at school.")
    assert evidence(r, "pupil-first-name") == ["May"]


def test_never_publish_first_name_blocks_on_official_through_the_pack_variant(check: Checker) -> None:
    r = check("Leo in Year 2 built a hamster hutch.", channel="official")
    [f] = found(r, "pupil-first-name")
    assert f.variant == "never-publish" and f.severity == Severity.BLOCK
    r = check("Ollie and Oliver Brown built a hutch.", channel="official")  # full consent
    assert r.findings == ()


def test_cli_json_report_of_a_named_pupil(cli, school, tmp_path: Path) -> None:
    import json

    draft = tmp_path / "draft.txt"
    draft.write_text("Well done Amelia Smith and Grace!", encoding="utf-8")
    res = cli(draft, "--config", school.config, "--format", "json")
    assert res.exit_code == 2
    report = json.loads(res.stdout)
    [finding] = [f for f in report["posts"][0]["findings"] if f["rule"] == "pupil-full-name"]
    assert finding["span"] == [10, 22] and finding["evidence"] == "Amelia Smith"
    assert finding["severity"] == "block" and finding["fixable"] is True
    assert "label" not in finding  # the display name stays in the terminal report
    if "person" in finding:
        assert finding["person"] == "P001"
