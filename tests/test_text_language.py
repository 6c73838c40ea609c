"""The layers of offensive-language and adverse-comment, each with positive and
negative examples written for them (not taken from any corpus), including the
benign traps real school posts are full of. Every finding must say which layer
fired and why."""

from __future__ import annotations

import pytest

from postcheck.checks.text.language import adverse_comment, offensive_language
from test_text_rules_support import make_ctx, run


def _layers(text: str, **kw: object) -> list[str]:
    out = []
    for f in run(offensive_language, text, **kw):
        layer = f.message.split("(", 1)[1].split(":", 1)[0]
        out.append(layer)
    return out


# --- masked --------------------------------------------------------------------------

MASKED = [
    "What a f***ing week that was.",
    "Parents' evening was sh!t, honestly.",
    "That lesson was a complete f-u-c-k-i-n-g disaster.",
    "The new timetable is (expletive) ridiculous.",
    "You --- idiot, read the email.",
]


@pytest.mark.parametrize("text", MASKED)
def test_masked_profanity_is_found_and_says_so(text: str) -> None:
    assert "masked" in _layers(text)


@pytest.mark.parametrize(
    "text", ["A bl**dy long day!", "What the h*ll happened to the printer?", "Grade A** in art."]
)
def test_masked_mild_words_and_grades_are_not_offensive(text: str) -> None:
    assert _layers(text) == []


# --- word lists, with benign contexts ------------------------------------------------

BENIGN_TRAPS = [
    "Year 6 absolutely killed it at the cross-country this afternoon!",
    "Some sick moves on the dance floor at the Year 11 prom last night.",
    "Bloody brilliant effort from the under-12s in the rain today.",
    "Netball shooting practice moves to Thursday lunchtime.",
    "Year 4 walked the length of Devil's Dyke on their geography trip.",
    "We walked along the dyke path to the river.",
    "Faggots and peas with gravy are on the lunch menu on Wednesday.",
    "Bird club spotted two blue tits and a great tit on the field.",
    "The Year 3 pantomime of Dick Whittington was a triumph.",
    "Our trip to Scunthorpe is on Friday.",
    "In PSHE we studied the language of hate speech and how to report it online.",
    "Our RE unit compares how Christians, Muslims, Jews and Sikhs celebrate their festivals.",
    "Year 9 history looked at how propaganda was used to dehumanise Jewish people.",
    "Reception loved feeding the pigs and the goats at the farm.",
    "Year 2 found insects and worms under the logs in the woods.",
    "What a crap week for the weather, but the children were stars.",
]


@pytest.mark.parametrize("text", BENIGN_TRAPS)
def test_benign_traps_are_not_offensive(text: str) -> None:
    assert _layers(text) == []
    assert run(adverse_comment, text) == []


@pytest.mark.parametrize(
    ("text", "layer"),
    [
        ("Honestly, what a bunch of wankers.", "word"),
        ("Some tosser parked across the school gate again.", "word"),
        ("Someone wrote 'dyke' on the toilet door.", "slur"),
        ("He called the new boy a paki in the playground.", "slur"),
    ],
)
def test_listed_words_and_slurs(text: str, layer: str) -> None:
    assert layer in _layers(text)


# --- dehumanising and contemptuous words said of people -------------------------------

ABOUT_PEOPLE = [
    ("My Year 9s are a pack of brainless vermin.", "dehumanising"),
    ("These children are animals and their parents are worse.", "dehumanising"),
    ("Teaching bottom set is like herding rats.", "dehumanising"),
    ("Year 11 are the laziest bunch of losers I have ever taught.", "insult"),
    ("The parents at the gate are a gang of idle layabouts.", "insult"),
]


@pytest.mark.parametrize(("text", "layer"), ABOUT_PEOPLE)
def test_words_said_of_pupils_and_parents(text: str, layer: str) -> None:
    assert layer in _layers(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our class pet rats had babies this week!",  # rats, but not said of people
        "I'm so fat after all the Christmas cake in the staffroom.",  # said of oneself
        "The pupils are not lazy at all: they worked all afternoon.",  # negated
        "Year 5 wrote poems about feral cats and urban foxes.",
    ],
)
def test_the_same_words_not_said_of_people(text: str) -> None:
    assert _layers(text) == []


# --- generalisations about protected groups --------------------------------------------

GROUPS = [
    "Muslims are a threat to this country and should not be allowed to teach.",
    "Polish families never integrate, they just take what they can get.",
    "Gay people shouldn't be allowed to work with children.",
    "Immigrants are ruining our schools.",
]


@pytest.mark.parametrize("text", GROUPS)
def test_generalisations_about_a_protected_group(text: str) -> None:
    found = run(offensive_language, text)
    assert any("group:" in f.message and "generalisation" in f.message for f in found)


# --- the classifier -------------------------------------------------------------------


def test_the_classifier_fires_on_a_derogatory_sentence_about_someone_and_says_its_score() -> None:
    found = run(offensive_language, "Mr Jones is a disgusting pervert and everyone knows it.")
    assert found
    assert any("classifier scores this sentence" in f.message or "insult" in f.message for f in found)


def test_the_classifier_threshold_is_configurable() -> None:
    text = "Year 8 are an absolute disgrace and a nightmare to teach."
    strict = run(offensive_language, text, ctx=make_ctx(text={"offensive_threshold": 0.99}))
    assert not any("classifier" in f.message for f in strict)


def test_a_positive_newsletter_never_loads_the_classifier() -> None:
    """Sentences with no word of negative valence are not scored (see thresholds.py)."""
    from postcheck.text.offence import _worth_scoring

    assert not _worth_scoring("A huge thank you to the parents who waved us off so early in the morning.")
    assert _worth_scoring("The parents are disgusting.")


# --- adverse comment: attack, criticism -----------------------------------------------


def test_an_attack_on_a_person_blocks_and_criticism_of_a_group_warns() -> None:
    attack = run(adverse_comment, "Our deputy head is a spineless, two-faced coward.")
    assert attack and attack[0].variant == "attack" and "attack" in attack[0].message
    group = run(adverse_comment, "The governors made a ridiculous decision about the uniform.")
    assert group and group[0].variant is None and "criticism" in group[0].message


def test_she_carries_the_person_from_one_sentence_to_the_next() -> None:
    text = "Our trainee teacher Tabitha missed every deadline. She is lazy and dishonest."
    found = run(adverse_comment, text)
    assert [f.variant for f in found] == ["attack"]


def test_misfortune_is_not_criticism() -> None:
    for text in (
        "Sadly sports day was cancelled because of the rain.",
        "Did you know 1 in 6 people in the UK have hearing loss? Our pupils learnt to sign.",
    ):
        assert run(adverse_comment, text) == []


# --- adverse comment: ridicule ----------------------------------------------------------

RIDICULE = [
    ("We were all laughing at Year 9 during the fire drill.", None),
    ("One boy in 6B kept falling over. We were all laughing at him.", "attack"),
    ("I made fun of my tutor group's spelling in the staffroom.", None),
    ("Look at the kids' handwriting lol", None),
    ("Honestly, this girl's accent. I'm crying laughing.", "attack"),
    ("Can't believe this boy's haircut 🤣", "attack"),
    ("One lad in my class has turned up with a new haircut. His hair 😂", None),
]


@pytest.mark.parametrize(("text", "variant"), RIDICULE)
def test_the_author_mocking_pupils_is_an_adverse_comment(text: str, variant: str | None) -> None:
    found = [f for f in run(adverse_comment, text) if "ridicule" in f.message]
    assert [f.variant for f in found] == [variant], text
    assert "ridicule:" in found[0].message and "about" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "The children couldn't stop laughing at the magician.",
        "In our anti-bullying assembly we talked about why we should never make fun of others.",
        "I mocked up a new timetable for Year 7.",
        "Good luck to our Year 11s in their mocks this week!",
        "Year 4 had us in stitches with their panto!",
        "We laughed at the jokes in the pantomime.",
        "Her handwriting has come on so much this year!",
        "Don't laugh at me, but I forgot the register again lol",
        "Not one of us could stop smiling at the nativity: their singing was beautiful.",
        "Meet our new class hamster! Her name is Nibbles 😂",
        "We laughed at Year 6's brilliant sketch at the talent show.",
        "We all laughed at Mr Jones's terrible jokes in assembly today!",
        "We were laughing at ourselves after the staff netball match.",
        "Staff vs pupils football: we made fun of our own terrible kit!",
        "Our class bear came home with Isla this weekend, his name is Barnaby lol",
    ],
)
def test_laughter_and_mocking_words_not_aimed_at_the_community(text: str) -> None:
    assert run(adverse_comment, text) == []


# --- adverse comment: sarcasm and contempt ------------------------------------------------

SARCASM = [
    ("Marking 90 books over half term? Fun, said no teacher ever. Thanks SLT.", "sarcasm", None),
    ("Year 8 worked out the fire exit all by themselves, bless them.", "sarcasm", None),
    ("SLT want a new behaviour policy by Friday. What could possibly go wrong?", "sarcasm", None),
    ("Another staff meeting about staff wellbeing 🙄", "sarcasm", None),
    ("It really isn't too much to ask parents to read the newsletter.", "contempt", None),
    (
        "Most of our families are lovely. If they are so unhappy, they know where the other schools are.",
        "contempt",
        None,
    ),
    ("Dear parents, please don't sit there and complain on Facebook.", "contempt", None),
    ("The whinging from some of my colleagues this week has been relentless.", "contempt", None),
    ("Mr Hughes is clearly not management material.", "contempt", "attack"),
    ("If Priya fails the course, my mentee only has herself to blame.", "contempt", "attack"),
]


@pytest.mark.parametrize(("text", "layer", "variant"), SARCASM)
def test_sarcasm_and_contempt_about_the_community(text: str, layer: str, variant: str | None) -> None:
    found = run(adverse_comment, text)
    assert [f.variant for f in found] == [variant], text
    assert f"({layer}: " in found[0].message and "about" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Is it too much to ask for sunshine on Year 5's sports day? ☀️",
        "God bless them all: thank you to the families who came to our memorial service.",
        "In English, Year 10 studied how sarcasm works in Pride and Prejudice.",
        "Our Year 2 class loved meeting Moaning Myrtle on World Book Day.",
        "If you are not happy with your child's report, please contact the office.",
        "The mind is a wonderful thing: Year 6 learnt about memory in science.",
        "Our parents' guide to healthy packed lunches is out now.",
        "Thank you to the PTA for another brilliant summer fair!",
        "Oh joy! The new playground is finally open.",
    ],
)
def test_the_same_words_not_sarcasm_about_people(text: str) -> None:
    assert run(adverse_comment, text) == []
