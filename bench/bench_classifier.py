"""Cost of the offensive-language classifier (postcheck.text.classifier).

Each measure runs in a fresh subprocess (median of ``--runs``, default 5), and is
reported as CPU seconds of that process and as wall time, beside the bare spaCy
start-up that the text checks already pay (``import spacy; spacy.blank("en")``):

* load: importing the module and :func:`classifier.load` (reading and checking
  the model files, starting onnxruntime on one thread);
* per sentence: scoring the 20 sentences of a 300-word school newsletter one call
  at a time, and in one call (as a rule would, once per draft).

Usage: ``python bench/bench_classifier.py [--runs N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

SENTENCES = [
    "What a fantastic week it has been at Oakfield Primary Academy!",
    "Our Year 6 pupils travelled to the coast on Tuesday for their residential trip.",
    "The weather was kind to us for once.",
    "The children took part in raft building, orienteering and a night walk along the cliffs.",
    "Every single one of them showed real courage and teamwork.",
    "A huge thank you to the staff who gave up their week to make it happen.",
    "Thank you to the parents who packed bags, labelled torches and waved us off so early.",
    "Back in school, Year 3 have been busy with their Romans topic.",
    "They built shields, marched around the playground in formation and wrote letters home.",
    "We hope you enjoyed the display in the hall at Friday's assembly.",
    "Year 4 visited the library in town and came back with armfuls of books.",
    "The reading challenge continues until half term, so keep those reading records coming in.",
    "Our football team absolutely killed it in the league final on Saturday.",
    "Please remember that school closes at 1.30pm on Friday for staff training.",
    "The PTA summer fayre raised over £1,200 for new playground equipment.",
    "Reception have been learning about minibeasts and found a huge spider in the garden.",
    "Year 5 performed their class assembly about the Victorians to a packed hall.",
    "Swimming lessons for Year 2 start next week, so please send costumes and towels.",
    "Well done to everyone who took part in the maths challenge.",
    "Have a restful weekend, and we look forward to seeing you all on Monday.",
]

SPACY = """
import time, json
c, w = time.process_time(), time.perf_counter()
import spacy
spacy.blank("en")
print(json.dumps({"cpu": time.process_time() - c, "wall": time.perf_counter() - w}))
"""

CLASSIFIER = """
import time, json, sys
S = json.loads(sys.argv[1])
c, w = time.process_time(), time.perf_counter()
from postcheck.text import classifier
classifier.load()
load = {"cpu": time.process_time() - c, "wall": time.perf_counter() - w}
classifier.score(S[:1])  # warm-up
c, w = time.process_time(), time.perf_counter()
for s in S:
    classifier.score([s])
one = {"cpu": (time.process_time() - c) / len(S), "wall": (time.perf_counter() - w) / len(S)}
c, w = time.process_time(), time.perf_counter()
classifier.score(S)
batch = {"cpu": (time.process_time() - c) / len(S), "wall": (time.perf_counter() - w) / len(S)}
print(json.dumps({"load": load, "one": one, "batch": batch}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(rows: list[dict], *keys: str) -> float:
    values = []
    for r in rows:
        for k in keys:
            r = r[k]
        values.append(r)
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    spacy_rows, clf_rows = [], []
    for _ in range(args.runs):  # interleaved, so that both see the same machine load
        spacy_rows.append(run(SPACY))
        clf_rows.append(run(CLASSIFIER, json.dumps(SENTENCES)))
    base = median(spacy_rows, "cpu")
    load = median(clf_rows, "load", "cpu")
    print(f"bare spaCy start-up:   {base:.3f} s CPU ({median(spacy_rows, 'wall'):.3f} s wall)")
    print(
        f"classifier load:       {load:.3f} s CPU ({median(clf_rows, 'load', 'wall'):.3f} s wall), "
        f"{load / base:.2f}x the spaCy start-up"
    )
    for key, label in (("one", "one sentence a call"), ("batch", "20 sentences in one call")):
        cpu, wall = median(clf_rows, key, "cpu") * 1000, median(clf_rows, key, "wall") * 1000
        print(f"per sentence, {label}: {cpu:.1f} ms CPU ({wall:.1f} ms wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
