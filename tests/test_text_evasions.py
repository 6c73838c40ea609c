"""Names and matters hidden from the checks by what real drafts (and people trying
to get round them) do: invisible characters, look-alike letters, full-width
letters, Markdown and HTML, name variants, file names. Each evasion must give the
same verdict as the plain text, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import School

PUPILS = """\
pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,never_publish,photos
P001,Amelia,Smith,Millie,6,yes,first,2099-07-31,,
P002,Oliver,Brown,Ollie,5,yes,yes,2099-07-31,,
P003,Zoë,Okafor,,4,no,no,,,
P005,Leo,Carter,,3,yes,yes,,yes,
P006,Amira,Abu-Bakr,,5,yes,first,2099-07-31,,
P007,Sam,Okoro,,6,yes,yes,2099-07-31,,
P008,Łukasz,Nowak,,5,yes,yes,2099-07-31,,
P009,Thomas,Reeves,,4,yes,yes,2099-07-31,,
"""


@pytest.fixture
def pupils(school: School) -> School:
    (school.root / "register" / "pupils.csv").write_text(PUPILS, encoding="utf-8")
    return school


def _check(cli, school: School, tmp_path: Path, text: str, channel: str, name: str = "draft.txt"):
    draft = tmp_path / name
    draft.write_text(text, encoding="utf-8")
    res = cli("check", draft, "--config", school.config, "--channel", channel, "--format", "json")
    assert res.exit_code in (0, 1, 2), res.output
    report = json.loads(res.stdout)
    return res.exit_code, [(f["rule"], f["evidence"]) for f in report["posts"][0]["findings"]]


PLAIN_AND_HIDDEN = [
    # a never_publish child, by first name, on an official account
    (
        "Lovely singing from Leo today.",
        "Lovely singing from Le\u200bo today.",
        "official",
    ),  # zero-width space
    ("Lovely singing from Leo today.", "Lovely singing from Le\u00ado today.", "official"),  # soft hyphen
    (
        "Lovely singing from Leo today.",
        "Lovely singing from L\u0435\u043e today.",
        "official",
    ),  # Cyrillic e, o
    (
        "Lovely singing from Leo today.",
        "Lovely singing from \uff2c\uff45\uff4f today.",
        "official",
    ),  # full-width
    (
        "Lovely singing from Leo today.",
        "Lovely singing from \u202eLeo\u202c today.",
        "official",
    ),  # direction marks
    # Markdown emphasis around a full name
    ("Well done Amelia Smith!", "Well done **Amelia** *Smith*!", "official"),
    ("Well done Zoë Okafor!", "Well done *Zoë* *Okafor*!", "official"),
    ("Well done Zoë Okafor!", "Well done __Zoë__ _Okafor_!", "official"),
    # HTML in a plain-text draft
    ("Well done Amelia Smith!", "Well done <b>Amelia</b> <i>Smith</i>!", "official"),
    ("Well done Amelia Smith!", "Well done Amelia&nbsp;Smith!", "official"),
    # a WordPress shortcode around the name
    ("Well done Amelia Smith!", '[caption id="x1"]Well done Amelia Smith![/caption]', "official"),
    # a hyphen, a space, or nothing between the parts of a registered surname
    ("Well done Amira Abu-Bakr!", "Well done Amira Abu Bakr!", "official"),
    ("Well done Amira Abu-Bakr!", "Well done Amira AbuBakr!", "official"),
]


@pytest.mark.parametrize(("plain", "hidden", "channel"), PLAIN_AND_HIDDEN)
def test_hidden_name_gives_the_same_verdict_as_the_plain_text(
    cli, pupils: School, tmp_path: Path, plain: str, hidden: str, channel: str
) -> None:
    code, found = _check(cli, pupils, tmp_path, plain, channel)
    hidden_code, hidden_found = _check(cli, pupils, tmp_path, hidden, channel, "hidden.txt")
    assert code == 2, found  # the plain text blocks: the test is about something
    assert hidden_code == code
    assert [rule for rule, _ in hidden_found] == [rule for rule, _ in found]
    # the finding points at the user's own characters
    for _, evidence in hidden_found:
        assert evidence and evidence in hidden


def test_html_on_standard_input_blocks_like_the_html_file(cli, pupils: School, tmp_path: Path) -> None:
    page = "<p>Well done <b>Amelia</b> <i>Smith</i>!</p>"
    res = cli(
        "check", "-", "--config", pupils.config, "--channel", "official", "--format", "json", input=page
    )
    assert res.exit_code == 2, res.output
    rules = [f["rule"] for f in json.loads(res.stdout)["posts"][0]["findings"]]
    assert rules == ["pupil-full-name"]


def test_a_name_in_a_photo_file_name_with_a_digit_is_the_pupil(cli, pupils: School, tmp_path: Path) -> None:
    """sam_okoro2.jpg is the pupil Sam Okoro (full-name consent), not an unknown person."""
    from PIL import Image

    photo = tmp_path / "sam_okoro2.jpg"
    Image.new("RGB", (64, 48), (120, 160, 200)).save(photo)
    res = cli("check", photo, "--config", pupils.config, "--channel", "official", "--format", "json")
    findings = json.loads(res.stdout)["posts"][0]["findings"]
    assert not [f for f in findings if f["rule"] == "unknown-person"], findings
    res = cli("check", photo, "--config", pupils.config, "--channel", "personal", "--format", "json")
    assert res.exit_code == 2
    named = [f for f in json.loads(res.stdout)["posts"][0]["findings"] if f["rule"] == "pupil-full-name"]
    assert named and named[0]["person"] == "P007" and named[0]["source"] == "file name"


@pytest.mark.parametrize(
    "text",
    [
        "Łukasz was excluded for fighting today.",  # a name outside Latin-1
        "Thomas's diagnosis came through today.",  # a name ending in s, possessive
    ],
)
def test_confidential_matter_about_a_named_pupil_blocks(
    cli, pupils: School, tmp_path: Path, text: str
) -> None:
    code, found = _check(cli, pupils, tmp_path, text, "official")
    assert code == 2 and "confidential-info" in [rule for rule, _ in found], found


def test_a_home_address_near_the_word_school_is_personal_data(cli, pupils: School, tmp_path: Path) -> None:
    text = "Party for the school leavers at 14 Elm Grove, Leeds LS6 2QT after school on Friday."
    code, found = _check(cli, pupils, tmp_path, text, "official")
    assert code == 2
    assert ("personal-data", "14 Elm Grove") in found and ("personal-data", "LS6 2QT") in found


def test_the_schools_own_address_next_to_its_name_is_not_personal_data(
    cli, pupils: School, tmp_path: Path
) -> None:
    text = "Open morning at Oakfield Primary Academy, 1 School Lane, Leeds LS1 1AA on Friday."
    _, found = _check(cli, pupils, tmp_path, text, "official")
    assert not [r for r, _ in found if r == "personal-data"], found


def test_lowering_first_names_does_not_lower_a_never_publish_child(
    cli, pupils: School, tmp_path: Path
) -> None:
    from conftest import school_toml

    pupils.write_config(school_toml("enquire", '\n[rules]\nseverity = {pupil-first-name = "warn"}\n'))
    code, found = _check(cli, pupils, tmp_path, "Lovely singing from Leo today.", "personal")
    assert code == 2 and found == [("pupil-first-name", "Leo")]
    code, found = _check(cli, pupils, tmp_path, "Lovely singing from Oliver today.", "personal")
    assert code == 1 and found == [("pupil-first-name", "Oliver")]


def test_a_slur_about_the_community_is_an_attack_without_the_offensive_rule(
    cli, pupils: School, tmp_path: Path
) -> None:
    """adverse-comment reads the word lists itself, not offensive-language's messages."""
    from conftest import school_toml

    pupils.write_config(school_toml("enquire", '\n[rules]\ndisable = ["offensive-language"]\n'))
    code, found = _check(
        cli, pupils, tmp_path, "The parents at my school are a bunch of retards.", "official"
    )
    assert code == 2
    assert [rule for rule, _ in found] == ["adverse-comment"]
