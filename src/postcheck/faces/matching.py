"""Matching faces against every enrolled encoding at once.

For each face the Euclidean distance to every enrolled encoding is computed in
one matrix operation; a person's distance is the smallest over their reference
photos. Then, with ``tol`` = ``[faces] tolerance`` and ``band`` =
``[faces] review_band``:

* best distance <= ``tol`` and the runner-up person is more than
  :data:`AMBIGUITY_MARGIN` further away -> ``match`` (that person);
* best distance <= ``tol`` but another person is within the margin, or the best
  distance is in ``(tol, tol + band]`` -> ``review``, naming every candidate
  within ``tol + band`` (closest first): a person must look;
* otherwise -> ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Two different people whose distances to a face differ by no more than this are
# "nearly equally close": dlib's distances for the same person vary by about
# ±0.03 between photos, so a smaller gap is not evidence for either.
AMBIGUITY_MARGIN = 0.04
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Enrolled:
    """The enrolled encodings: ``encodings`` (n, 128) and the owner of each row."""

    encodings: Any  # numpy float64 (n, 128); never printed
    owners: tuple[str, ...]  # person id per row

    def __len__(self) -> int:
        return len(self.owners)

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.owners))


@dataclass(frozen=True)
class Match:
    status: str  # match | review | unknown
    person: str | None  # the matched person (status match)
    distance: float | None  # distance to the closest person (None: nobody enrolled)
    candidates: tuple[tuple[str, float], ...] = ()  # (person id, distance), closest first


def match_faces(faces: Any, enrolled: Enrolled | None, tolerance: float, review_band: float) -> list[Match]:
    """One :class:`Match` per row of ``faces`` ((m, 128) array)."""
    import numpy as np

    faces = np.asarray(faces, dtype=np.float64).reshape(-1, 128)
    m = faces.shape[0]
    if m == 0:
        return []
    if enrolled is None or len(enrolled) == 0:
        return [Match("unknown", None, None) for _ in range(m)]
    enc = np.asarray(enrolled.encodings, dtype=np.float64)
    # |a - b|^2 = |a|^2 + |b|^2 - 2ab, for all pairs at once
    d2 = (faces**2).sum(1)[:, None] + (enc**2).sum(1)[None, :] - 2.0 * faces @ enc.T
    dist = np.sqrt(np.clip(d2, 0.0, None))
    people = enrolled.people
    index = {p: i for i, p in enumerate(people)}
    owner_idx = np.array([index[o] for o in enrolled.owners])
    # each person's smallest distance: group the columns by owner, then reduce
    perm = np.argsort(owner_idx, kind="stable")
    starts = np.searchsorted(owner_idx[perm], np.arange(len(people)))
    per_person = np.minimum.reduceat(dist[:, perm], starts, axis=1)
    order = np.argsort(per_person, axis=1)
    limit = tolerance + review_band
    out: list[Match] = []
    for i in range(m):
        ranked = order[i]
        best = int(ranked[0])
        d1 = float(per_person[i, best])
        d2_ = float(per_person[i, ranked[1]]) if len(people) > 1 else float("inf")
        reach = max(limit, d1 + AMBIGUITY_MARGIN)
        near = tuple(
            (people[int(j)], round(float(per_person[i, j]), 4))
            for j in ranked[:MAX_CANDIDATES]
            if per_person[i, j] <= reach
        )
        if d1 <= tolerance and d2_ - d1 > AMBIGUITY_MARGIN:
            out.append(Match("match", people[best], round(d1, 4), near[:1]))
        elif d1 <= limit:
            out.append(Match("review", None, round(d1, 4), near))
        else:
            out.append(Match("unknown", None, round(d1, 4)))
    return out
