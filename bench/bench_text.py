"""Text-check cost against the bare spaCy start-up (DESIGN §6).

Target: a text-only check of a 300-word draft against a 1,500-pupil register
costs at most 1.3x ``python -c "import spacy; spacy.blank('en')"``.

The benchmark writes a fictional 1,500-pupil register, a staff list, a config
and a 300-word draft into a temporary folder, then times, each in fresh
subprocesses (median of ``--runs``, default 5):

* the bare start-up: ``import spacy; spacy.blank("en")``;
* the name rules only (pupil-full-name, pupil-first-name, unknown-person) through
  ``postcheck.runner.check_post``;
* every text rule through ``postcheck.runner.check_post``;
* the command line: ``python -m postcheck draft.txt --config ... --format json``.

Usage: ``python bench/bench_text.py [--runs N] [--keep]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = (
    "Amelia Oliver Olivia Harry Isla Jack Ava George Mia Noah Ivy Leo Freya Arthur Lily Muhammad "
    "Sophia Oscar Grace Charlie Emily Theo Poppy Alfie Ella Henry Willow Archie Evie Jacob Rosie "
    "Thomas Isabella Joshua Daisy William Phoebe James Sienna Lucas Florence Finley Zoë Max Aisha "
    "Ethan Maya Reuben Chloe Dylan Hannah Samuel Ruby Toby Erin Isaac Matilda Edward Layla Teddy "
    "Esme Harvey Nancy Adam Luna Elijah Millie Riley Eliza Joseph Harper Mason Summer Rory Hope "
    "Kai Faith Ronan Aurora Finn Bella Zain Orla Jude Maryam Louis Ellie Ibrahim Sofia Yusuf Zara"
).split()
LAST = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper "
    "Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis "
    "Parker James Bennett Young Phillips Richardson Mitchell Bailey Carter Cook Singh Shaw Bell "
    "Collins Morgan Kelly Begum Miller Cox Marshall Simpson Anderson Ellis Adams Wilkinson Ali "
    "Mason Chapman Russell Webb Rogers Gray Mills Price Palmer Lloyd Smith-Jones O'Brien Okafor "
    "Nowak Kowalski Ahmed Hussain Rahman Murphy Campbell Stewart Fraser Hunt Holmes Knight Stevens"
).split()

DRAFT = """\
What a fantastic week it has been at Oakfield Primary Academy! Our Year 6 pupils
travelled to the coast on Tuesday for their residential trip, and the weather was
kind to us for once. The children took part in raft building, orienteering and a
night walk along the cliffs, and every single one of them showed real courage and
teamwork. A huge thank you to the staff who gave up their week to make it happen,
and to the parents who packed bags, labelled torches and waved us off so early in
the morning.

Back in school, Year 3 have been busy with their Romans topic. They built shields,
marched around the playground in formation and wrote letters home from the
frontier. We hope you enjoyed the display in the hall at Friday's assembly. Year 4
visited the library in town and came back with armfuls of books, and the reading
challenge continues until half term: every book read earns a stamp on the class
chart, and the class with the most stamps wins extra playtime.

Sports day is on the calendar for May, so please make sure your child has a named
PE kit in school every day. We will need volunteers to help with the refreshment
stall and the sack race, so please speak to the office if you can spare an hour.
By the grace of the weather, we will be outside on the field all afternoon. Will
you be able to join us? Tickets for the summer concert will go on sale next week,
and the choir has been rehearsing every lunchtime. Well done to Grace and Oliver
in Year 5 for their brilliant poems in the local writing competition, and thanks
to Mrs Whitfield for running the club.

Finally, a reminder that the school will close at 1.30pm on the last day of term.
Have a wonderful weekend, and thank you as always for your support.
"""

CONFIG = """\
policy = "enquire"
channel = "personal"

[trust]
name = "The Enquire Learning Trust"
aliases = ["Enquire", "ELT"]
schools = ["Oakfield Primary Academy"]
domains = ["oakfield.example.sch.uk"]
phones = ["01234 567890"]

[register]
pupils = "pupils.csv"
staff = "staff.csv"

[disclaimer]
phrases = ["These are my own personal views and not those of the academy"]
"""

NAME_RULES_ONLY = """
[rules]
disable = [{rules}]
"""

RUN = """\
import sys
from pathlib import Path
from postcheck.config import load_config
from postcheck.inputs import input_file
from postcheck.model import Post
from postcheck.policy import load_policy
from postcheck.register import load_register
from postcheck.runner import Session, check_post

config = load_config(Path(sys.argv[1]))
session = Session(config, load_policy(config.policy), config.channel, load_register(config))
result = check_post(Post("draft", (input_file(Path(sys.argv[2])),)), session)
print(result.verdict.label, len(result.findings))
"""


def write_school(folder: Path, pupils: int = 1500) -> tuple[Path, Path, Path]:
    rng = random.Random(1500)
    rows = [
        "pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,never_publish,photos"
    ]
    for i in range(1, pupils + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        nickname = first[:3] if rng.random() < 0.1 and len(first) > 4 else ""
        consent = rng.choice(["yes", "first", "no"])
        rows.append(f"P{i:04d},{first},{last},{nickname},{rng.randint(1, 6)},yes,{consent},2099-07-31,,")
    (folder / "pupils.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "staff.csv").write_text(
        "staff_id,first_name,last_name\nS001,Sarah,Whitfield\n", encoding="utf-8"
    )
    config = folder / "postcheck.toml"
    config.write_text(CONFIG, encoding="utf-8")
    names_only = folder / "names-only.toml"
    from postcheck.catalogue import TEXT_RULES

    others = [r for r in TEXT_RULES if r not in ("pupil-full-name", "pupil-first-name", "unknown-person")]
    names_only.write_text(CONFIG + NAME_RULES_ONLY.format(rules=", ".join(f'"{r}"' for r in others)))
    draft = folder / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    (folder / "run.py").write_text(RUN, encoding="utf-8")
    return config, names_only, draft


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of one fresh process, and its last line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    # communicate() has reaped the child; its CPU time is in RUSAGE_CHILDREN
    return wall, 0.0, (out.strip().splitlines() or [err.strip()[-200:]])[-1]


def measure(cmds: list[list[str]], runs: int, cwd: Path) -> list[tuple[float, float, str]]:
    """Median wall and CPU time per command, the commands interleaved round by
    round so that every one sees the same machine load."""
    import resource

    for cmd in cmds:
        subprocess.run(cmd, capture_output=True, cwd=cwd)  # warm the file cache
    walls: list[list[float]] = [[] for _ in cmds]
    cpus: list[list[float]] = [[] for _ in cmds]
    outs = [""] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, _, outs[i] = run_once(cmd, cwd)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            walls[i].append(wall)
            cpus[i].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return [
        (statistics.median(w), statistics.median(c), o) for w, c, o in zip(walls, cpus, outs, strict=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="postcheck-bench-text-"))
    config, names_only, draft = write_school(tmp)
    words = len(DRAFT.split())
    py = sys.executable
    rows = [
        ("bare `import spacy; spacy.blank('en')`", [py, "-c", "import spacy; spacy.blank('en')"]),
        ("name rules only (check_post)", [py, str(tmp / "run.py"), str(names_only), str(draft)]),
        ("all text rules (check_post)", [py, str(tmp / "run.py"), str(config), str(draft)]),
    ]
    import importlib.util

    if importlib.util.find_spec("postcheck.cli") is not None:
        rows.append(
            (
                "CLI: python -m postcheck --format json",
                [py, "-m", "postcheck", str(draft), "--config", str(config), "--format", "json"],
            )
        )
    results = measure([cmd for _, cmd in rows], args.runs, tmp)
    base_wall, base_cpu, _ = results[0]
    print(f"draft: {words} words; register: 1,500 pupils; median of {args.runs} fresh processes, interleaved")
    print(f"  {'':<40} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}")
    worst = 0.0
    for (label, _), (wall, cpu, out) in zip(rows, results, strict=True):
        ratio = cpu / base_cpu
        worst = max(worst, ratio) if label != rows[0][0] else worst
        print(
            f"  {label:<40} {wall * 1000:6.0f}ms {wall / base_wall:6.2f} {cpu * 1000:6.0f}ms {ratio:6.2f}"
            f"  {out[:40]}"
        )
    print(f"target: ratio <= 1.30 (CPU time, which machine load does not inflate); worst {worst:.2f}")
    if args.keep:
        print(f"files kept in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
