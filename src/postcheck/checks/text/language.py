"""Offensive language and adverse comments about the Trust community:
``offensive-language`` and ``adverse-comment``.

The layers that find them (masked and listed words, dehumanising and contemptuous
words aimed at people, generalisations about protected groups, the trained
classifier, attacks and criticism) run once per text in
:mod:`postcheck.text.offence`; every finding says which layer fired and why.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcheck.model import Finding
from postcheck.rules import Rule, Variant
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding
from postcheck.text.offence import Language, language
from postcheck.text.ridicule import ridicule
from postcheck.text.sarcasm import sarcasm

OFFENSIVE_LANGUAGE = Rule(
    "offensive-language",
    "text",
    "Profanity, slurs, abusive, derogatory, sexual or discriminatory language",
    what=(
        "runs layers, and each finding says which fired and why. masked: profanity disguised by symbols, "
        'look-alikes, spacing or a removal marker ("f***", "sh!t", "f u c k", "(expletive)", "you ---"). '
        "word, slur: better-profanity's maintained list, British profanity and a curated list of slurs, "
        'matched as whole words; innocent phrases ("blue tit", "Devil\'s Dyke", "faggots and peas", '
        '"Scunthorpe") and mild expletives ("bloody", "crap", "hell", "sod") are not reported. '
        "dehumanising, insult: dehumanising or contemptuous words said of pupils, a class, parents, "
        'colleagues or a group ("Year 9 are feral animals", "what a pathetic brat"). group: a derogatory '
        "generalisation about people sharing a characteristic the Equality Act 2010 protects (religion, "
        "race, nationality, sexuality, gender identity, disability, sex, age), not a lesson about one. "
        "classifier: a sentence a trained classifier (MiniLM sentence embeddings with a logistic head, "
        "shipped with postcheck) scores at [text] offensive_threshold or above when it is about someone, "
        "or very high when not."
    ),
    why=(
        "employees must not use offensive or discriminatory language, or publish material of a sexual or "
        "offensive nature (Haybrook 3.2.1, 3.2.6, 3.2.8, 4.6; Enquire 3.3, 3.10, 4.1, and the Equality "
        "Act)."
    ),
    example=(
        '"What a sh!t week" (masked), "My Year 9s are a pack of brainless vermin" (dehumanising) and '
        '"Muslims are a threat to this country" (group) are reported; "Year 6 absolutely killed it", '
        '"bloody brilliant" and "Our trip to Scunthorpe" are not.'
    ),
    personal="block",
    official="block",
    by_hand="rewrite or remove the offensive wording",
)

ADVERSE_COMMENT = Rule(
    "adverse-comment",
    "text",
    "Negative remarks about the Trust community",
    what=(
        "reads each sentence about the Trust community: a named or titled person, a role only one person "
        'holds ("the head", "my line manager"), the Trust and its schools, staff, pupils, a class or year '
        'group, parents, governors ("they" and "she" carry the subject on). It reports criticism '
        '("unprofessional", "a shambles", "not happy with", "disregard") and attack words ("liar", '
        '"incompetent", "corrupt", "useless", "a joke", "cowardly", "narcissistic": adverse.toml), and the '
        "offensive-language layers aimed at the community. Attack words or offensive language about an "
        'identifiable person, and a discriminatory remark in a post about the community, are the "attack" '
        "variant, which the packs block; criticism of a group or a decision is a warning for a person to "
        'look at. Misfortune is not criticism ("sadly sports day was cancelled", "hearing loss"). The '
        'author mocking someone of the community ("we were all laughing at Year 9", "can\'t stop '
        'laughing" about "this student\'s name") is ridicule: of one person, the attack variant. Sarcasm '
        '("said no teacher ever", "what could possibly go wrong") and contempt ("it\'s not too much to ask '
        'parents to...", "not management material") about the community are reported too; contempt for an '
        "identifiable person is the attack variant."
    ),
    why=(
        "staff must not post derogatory, defamatory or hurtful remarks about the Trust community or "
        "anything that damages its reputation (Haybrook 2.2, 3.2.1, 4.2, 4.6; Enquire 2.7, 3.2). Concerns"
        " go through the grievance or whistleblowing procedure instead."
    ),
    example=(
        '"Our head is a liar and completely incompetent." (attack: block); "Not happy with how SLT '
        'handled the inspection." (warn).'
    ),
    personal="warn",
    official="warn",
    by_hand="reconsider the negative remark; postcheck does not rewrite opinions",
    variants=(Variant("attack", "a personal attack on, or defamatory remark about, an identifiable person"),),
)
RULES = (OFFENSIVE_LANGUAGE, ADVERSE_COMMENT)


def _layers(a: TextAnalysis, ctx: TextContext) -> Language:
    threshold = float(ctx.config.get("text.offensive_threshold"))
    return a.cached(f"language:{threshold}", lambda: _with_ridicule(a, language(a, threshold)))


def _with_ridicule(a: TextAnalysis, found: Language) -> Language:
    """Add ridicule, then sarcasm and contempt, to the adverse comments, in the
    sentences that have none yet."""
    adverse = list(found.adverse)
    for layer in (ridicule, sarcasm):
        taken = {i for i, s in enumerate(a.sentences) for h in adverse if s.start <= h.start < s.end}
        adverse += layer(a, taken)
    return Language(found.offensive, tuple(sorted(adverse, key=lambda h: h.start)))


_ADVICE = {
    "masked": "Remove the disguised swear word",
    "word": "Remove the offensive word",
    "slur": "Remove the discriminatory term",
    "dehumanising": "Remove the dehumanising words",
    "insult": "Remove the contemptuous words",
    "group": "Remove the generalisation about a group of people",
    "classifier": "Reword or remove this sentence",
}


def offensive_language(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Profanity, slurs, abusive, derogatory or discriminatory language."""
    layers = _layers(a, ctx)
    if any(h.layer == "classifier" for h in layers.offensive):
        ctx.method("offensive-language", "word lists, patterns and a trained sentence classifier (MiniLM)")
    for h in layers.offensive:
        yield finding(
            "offensive-language",
            a,
            h.start,
            h.end,
            f"{_ADVICE[h.layer]} ({h.layer}: {h.why}): offensive, derogatory or discriminatory language "
            "must not be posted.",
        )


def adverse_comment(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Negative remarks about the Trust community; personal attacks."""
    for h in _layers(a, ctx).adverse:
        attack = h.individual and h.layer in ("attack", "offensive", "ridicule", "contempt")
        if attack:
            message = (
                f"Personal attack or potentially defamatory remark ({h.layer}: {h.why}): remove it. Raise "
                "concerns through the grievance or whistleblowing procedure."
            )
        else:
            message = (
                f"Negative remark about the Trust community ({h.layer}: {h.why}): rephrase or remove it; "
                "raise concerns through the school's procedures rather than on social media."
            )
        yield finding("adverse-comment", a, h.start, h.end, message, variant="attack" if attack else None)
