"""A sentence classifier for offensive or derogatory language, run offline.

Each sentence is embedded with all-MiniLM-L6-v2 (int8 ONNX, run by onnxruntime,
tokenised by Hugging Face ``tokenizers``) and scored by a logistic-regression head
trained by ``train/train_offensive.py`` on labelled short texts (Davidson et al.
2017 tweets and the Jigsaw toxic-comment training set). The score is the
probability that the sentence is offensive, derogatory or abusive.

Every file the classifier needs ships in ``models/`` beside this module and is
checked against its SHA-256 when loaded; nothing is downloaded and no network
library is used. onnxruntime, ``tokenizers`` and numpy are imported only by
:func:`load`, which runs once per process, on the first call of :func:`score`.

Use::

    from postcheck.text import classifier
    scores = classifier.score(["Year 6 killed it at sports day!"])   # [0.0...]
    flagged = [s >= classifier.DEFAULT_THRESHOLD for s in scores]

Operating points and the measured trade-off are in ``docs/text-rules.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck.errors import Unavailable

MODELS = Path(__file__).parent / "models"
ENCODER_PATH = MODELS / "minilm-l6-v2-int8.onnx"
ENCODER_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = MODELS / "minilm-l6-v2-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
HEAD_PATH = MODELS / "offensive-head.json"

#: Recommended threshold on :func:`score` (see docs/text-rules.md for the trade-off).
DEFAULT_THRESHOLD = 0.5
#: Tokens per window; a longer text is scored in overlapping windows, and its score
#: is the highest window's.
MAX_TOKENS = 128
STRIDE = 32
_WHAT = "offensive-language classifier"


@dataclass(frozen=True)
class Encoder:
    """all-MiniLM-L6-v2 sentence embeddings (384 numbers, mean-pooled, unit length)."""

    session: Any
    tokenizer: Any
    dim: int

    def embed(self, texts: Sequence[str], batch: int = 32) -> tuple[Any, Any]:
        """Embeddings of ``texts``, one row per window: ``(vectors, owner)``.

        ``owner[i]`` is the index in ``texts`` of window ``i``; a text longer than
        :data:`MAX_TOKENS` tokens has several overlapping windows.
        """
        import numpy as np

        encodings, owner = [], []
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts))):
            for part in (enc, *enc.overflowing):
                encodings.append(part)
                owner.append(i)
        # similar lengths together, so that padding costs little
        order = sorted(range(len(encodings)), key=lambda k: len(encodings[k].ids))
        out = np.zeros((len(encodings), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            out[idx] = self.embed_encodings([encodings[k] for k in idx])
        return out, np.asarray(owner, dtype=np.int64)

    def embed_encodings(self, encodings: list[Any]) -> Any:
        """Embeddings of a batch of ``tokenizers`` encodings (one row each)."""
        import numpy as np

        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feeds)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vectors = summed / mask.sum(axis=1, keepdims=True)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Classifier:
    """The encoder and the logistic-regression head trained on its embeddings."""

    encoder: Encoder
    weights: Any  # numpy float32 vector, one weight per embedding dimension
    bias: float
    meta: dict[str, Any]

    def score(self, texts: Sequence[str]) -> list[float]:
        """The probability that each text is offensive or derogatory (0..1)."""
        import numpy as np

        scores = [0.0] * len(texts)
        todo = [i for i, t in enumerate(texts) if any(c.isalnum() for c in t)]
        if not todo:
            return scores
        vectors, owner = self.encoder.embed([texts[i] for i in todo])
        probs = 1.0 / (1.0 + np.exp(-(vectors @ self.weights + self.bias)))
        best = np.zeros(len(todo))
        np.maximum.at(best, owner, probs)
        for k, i in enumerate(todo):
            scores[i] = float(best[k])
        return scores


def _read_checked(path: Path, sha256: str) -> bytes:
    if not path.is_file():
        raise Unavailable(_WHAT, f"the model file {path.name} is missing; reinstall postcheck")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Unavailable(_WHAT, f"the model file {path.name} is damaged; reinstall postcheck")
    return data


def _read_head() -> tuple[list[float], float, dict[str, Any]]:
    try:
        head = json.loads(HEAD_PATH.read_text(encoding="utf-8"))
        weights = [float(w) for w in head["weights"]]
        bias = float(head["bias"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Unavailable(_WHAT, f"the classifier head {HEAD_PATH.name} is missing or damaged") from exc
    if head.get("encoder_sha256") != ENCODER_SHA256:
        raise Unavailable(_WHAT, f"{HEAD_PATH.name} was trained for another encoder; reinstall postcheck")
    return weights, bias, {k: v for k, v in head.items() if k not in ("weights", "bias")}


def open_encoder(threads: int = 1) -> Encoder:
    """The shipped encoder, checked against its SHA-256 (``threads`` for onnxruntime)."""
    # tokenizers depends on the Hugging Face hub client; postcheck never uses it,
    # and in case anything ever did, it stays offline
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - declared dependencies
        raise Unavailable(_WHAT, "install onnxruntime, tokenizers and numpy") from exc
    model = _read_checked(ENCODER_PATH, ENCODER_SHA256)
    tokenizer = Tokenizer.from_str(_read_checked(TOKENIZER_PATH, TOKENIZER_SHA256).decode("utf-8"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, stride=STRIDE)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    return Encoder(session, tokenizer, int(session.get_outputs()[0].shape[-1]))


def _build() -> Classifier:
    import numpy as np

    weights, bias, meta = _read_head()
    encoder = open_encoder()
    if len(weights) != encoder.dim:
        raise Unavailable(_WHAT, f"{HEAD_PATH.name} does not fit the encoder; reinstall postcheck")
    return Classifier(encoder, np.asarray(weights, dtype=np.float32), bias, meta)


_lock = threading.Lock()
_loaded: list[Classifier] = []


def load() -> Classifier:
    """The classifier, loaded once per process (about 0.3 s).

    Raises :class:`postcheck.errors.Unavailable` when a model file is missing,
    damaged or does not match the others, so a caller can fail closed.
    """
    with _lock:
        if not _loaded:
            _loaded.append(_build())
        return _loaded[0]


def is_loaded() -> bool:
    """Whether :func:`load` has run in this process."""
    return bool(_loaded)


def score(sentences: Sequence[str]) -> list[float]:
    """Score each sentence (or short text): the probability, 0..1, that it is
    offensive, derogatory or abusive. Texts with no letters or digits score 0."""
    if not sentences:
        return []
    return load().score(sentences)
