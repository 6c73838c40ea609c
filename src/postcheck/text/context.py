"""The neighbourhood of a word: what the person detector asks of the words around
a possible name (a cue before it, a verb after it, a title, an institution)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from postcheck.text.index import Lexicon
from postcheck.text.tokens import Tok

_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {}


def phrases(lex: Lexicon, list_name: str) -> tuple[tuple[str, ...], ...]:
    """A names.toml list as word tuples, longest first ("well done to" before "well done")."""
    hit = _PHRASES.get(list_name)
    if hit is None:
        out = {tuple(p.replace("(", " ( ").replace(",", " , ").split()) for p in lex.names[list_name]}
        hit = _PHRASES[list_name] = tuple(sorted(out, key=len, reverse=True))
    return hit


def title_case_flags(toks: list[Tok], lex: Lexicon) -> tuple[bool, ...]:
    """Per token: whether its sentence is a Title Case heading or in capitals, judged
    on its ordinary words (names are capitalised anyway)."""
    flags: list[bool] = []
    sentence: list[int] = []

    def close() -> None:
        words = [toks[i] for i in sentence if toks[i].word and not toks[i].tag]
        body = [t for t in words[1:] if len(t.norm) >= 3 and t.norm in lex.common and t.norm not in lex.given]
        caps = sum(1 for t in body if t.cap)
        upper = sum(1 for t in words if t.upper)
        title = (len(body) >= 2 and caps >= 0.7 * len(body)) or (
            len(words) >= 2 and upper >= 0.8 * len(words)
        )
        flags.extend([title] * len(sentence))
        sentence.clear()

    for i, t in enumerate(toks):
        if t.sent_start and sentence:
            close()
        sentence.append(i)
    if sentence:
        close()
    return tuple(flags)


@dataclass(frozen=True)
class View:
    """Tokens with the lexicon: neighbours of a token, skipping what should be skipped."""

    toks: list[Tok]
    lex: Lexicon
    title_case: tuple[bool, ...]

    def word_before(self, i: int) -> Tok | None:
        j = i - 1
        if j >= 0 and self.toks[j].norm == "." and j > 0 and self.is_title(j - 1):
            j -= 1
        return self.toks[j] if j >= 0 and self.toks[j].word else None

    def words_before(self, i: int, n: int) -> list[str]:
        """Up to ``n`` words before token ``i`` in the same sentence (commas and
        brackets kept as words, so "( year" and ", aged" can be matched)."""
        out: list[str] = []
        j = i - 1
        while j >= 0 and len(out) < n:
            t = self.toks[j]
            if t.word or t.number or t.norm in ",(":
                out.append(t.norm)
            elif t.norm in ".!?":
                break
            if t.sent_start:
                break
            j -= 1
        return out[::-1]

    def words_after(self, end: int, n: int) -> list[str]:
        out: list[str] = []
        j = end
        while j < len(self.toks) and len(out) < n:
            t = self.toks[j]
            if j > end and t.sent_start:
                break
            if t.word or t.number or t.norm in ",(":
                out.append(t.norm)
            elif t.norm in ".!?":
                break
            j += 1
        return out

    def next_word(self, end: int) -> Tok | None:
        t = self.toks[end] if end < len(self.toks) else None
        return t if t is not None and (t.word or t.number) else None

    def tok(self, i: int) -> Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def is_title(self, i: int) -> bool:
        t = self.tok(i)
        return t is not None and t.word and t.cap and self.lex.has("titles", t.norm.rstrip("."))

    def after_title(self, start: int) -> bool:
        """ "Mrs Patel", "Mr. Patel", "Mr and Mrs Winslow"."""
        j = start - 1
        if j >= 0 and self.toks[j].norm == ".":
            j -= 1
        if self.is_title(j):
            return True
        return j >= 2 and self.toks[j].norm in ("and", "&") and self.is_title(j - 1)

    def possessive(self, end: int) -> bool:
        t = self.tok(end)
        return t is not None and t.norm in ("'s", "'") and t.start == self.toks[end - 1].end

    def starts_with(self, words: list[str], options: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
        for p in options:
            if tuple(words[: len(p)]) == p:
                return p
        return None

    def ends_with(self, words: list[str], options: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
        for p in options:
            if len(words) >= len(p) and tuple(words[-len(p) :]) == p:
                return p
        return None

    def cue_before(self, i: int, list_name: str) -> tuple[str, ...] | None:
        return self.ends_with(self.words_before(i, 5), phrases(self.lex, list_name))

    def cue_after(self, end: int, list_name: str) -> tuple[str, ...] | None:
        return self.starts_with(self.words_after(end, 3), phrases(self.lex, list_name))

    def institution_after(self, end: int) -> bool:
        """ "Grace Academy", "Oliver Street", "Willow class", "Nelson House"."""
        nxt = self.next_word(end)
        if nxt is None:
            return False
        if nxt.cap and self.lex.has("institutions", nxt.norm):
            return True
        return not nxt.cap and self.lex.has("groups", nxt.norm)

    def place_prefix_before(self, i: int) -> bool:
        prev = self.word_before(i)
        return prev is not None and prev.cap and self.lex.has("place_prefix", prev.norm.rstrip("."))

    def in_proper_noun(self, i: int) -> bool:
        """A capitalised ordinary word right before, mid-sentence: the name is part of
        a title or a proper noun ("Amazing Grace", "Fantastic Mr Fox")."""
        prev = self.word_before(i)
        if prev is None or not prev.cap or prev.sent_start or prev.tag or self.title_case[i]:
            return False
        lex = self.lex
        return prev.norm in lex.common and prev.norm not in lex.given and not lex.has("titles", prev.norm)

    def sentence_of(self, i: int) -> tuple[int, int]:
        """Token range of the sentence holding token ``i``."""
        a = i
        while a > 0 and not self.toks[a].sent_start:
            a -= 1
        b = i + 1
        while b < len(self.toks) and not self.toks[b].sent_start:
            b += 1
        return a, b

    def sentence_has(self, i: int, list_name: str, back: int = 0) -> tuple[str, ...] | None:
        """A phrase of ``list_name`` anywhere in the sentence of token ``i`` (or in the
        ``back`` sentences before it)."""
        a, b = self.sentence_of(i)
        for _ in range(back):
            if a > 0:
                a = self.sentence_of(a - 1)[0]
        words = [t.norm for t in self.toks[a:b] if t.word]
        options = phrases(self.lex, list_name)
        for k in range(len(words)):
            hit = self.starts_with(words[k:], options)
            if hit:
                return hit
        return None
