"""spaCy text classifiers trained on the same sample, for comparison (not shipped).

Two architectures on ``spacy.blank("en")``: a bag-of-words model (unigrams and
bigrams, ``spacy.TextCatBOW.v3``) and the ensemble of that with a small CNN
(``spacy.TextCatEnsemble.v2``). Each is saved under the cache folder, and its size
on disk, load time and per-sentence cost are printed with its figures.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

BOW = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 2,
    "no_output_layer": False,
}
ENSEMBLE = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "linear_model": BOW,
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 64,
            "rows": [2000, 2000, 1000, 1000, 1000, 1000],
            "attrs": ["ORTH", "LOWER", "PREFIX", "SUFFIX", "SHAPE", "ID"],
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": 64,
            "window_size": 1,
            "maxout_pieces": 3,
            "depth": 2,
        },
    },
}
MAX_CHARS = 600  # the same order of length as the encoder's first 64 tokens


def train(examples: list[tuple[str, int]], architecture: dict, epochs: int, seed: int):
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": architecture})
    textcat.add_label("OFFENSIVE")
    textcat.add_label("CLEAN")
    data = [
        Example.from_dict(
            nlp.make_doc(t[:MAX_CHARS]), {"cats": {"OFFENSIVE": float(y), "CLEAN": float(1 - y)}}
        )
        for t, y in examples
    ]
    optimizer = nlp.initialize(lambda: data[:2000])
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(data)
        losses: dict[str, float] = {}
        start = time.process_time()
        for batch in minibatch(data, size=64):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.1)
        print(f"  epoch {epoch + 1}: loss {losses['textcat']:.1f}, {time.process_time() - start:.0f} s CPU")
    return nlp


def scorer(nlp) -> Callable[[list[str]], list[float]]:
    def score(texts):
        return [doc.cats["OFFENSIVE"] for doc in nlp.pipe(list(texts), batch_size=64)]

    return score


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def compare(train_set, test_set, cache: Path, corpus, seed: int, figures) -> None:
    import spacy

    for name, arch, epochs in (("bow", BOW, 4), ("ensemble", ENSEMBLE, 2)):
        print(f"\ntraining spaCy textcat {name}")
        nlp = train(train_set, arch, epochs, seed)
        path = cache / f"spacy-{name}"
        nlp.to_disk(path)
        start = time.process_time()
        nlp = spacy.load(path)
        load_cpu = time.process_time() - start
        sentence = "Those kids in my class are a pack of feral animals."
        start = time.process_time()
        for _ in range(200):
            nlp(sentence)
        per = (time.process_time() - start) / 200 * 1000
        print(
            f"spaCy {name}: {size_on_disk(path) / 1e6:.1f} MB on disk, load {load_cpu:.2f} s CPU, "
            f"{per:.2f} ms a sentence"
        )
        score = scorer(nlp)
        held = list(zip(score([t[:MAX_CHARS] for t, _ in test_set]), (y for _, y in test_set), strict=True))
        print(figures(f"spaCy textcat {name}", score, held, corpus))
