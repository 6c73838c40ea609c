"""Posts from files: the stem rule, --group, and each post's channel.

The quiet school (every text rule off, haybrook pack) makes the channel
visible through one rule: an official post without --approval warns
(official-authorisation); a personal one passes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image

from postcheck.channel import choose, declared_channel
from postcheck.inputs import collect_posts


def write(path: Path, text: str = "A lovely day at the seaside.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def photo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (120, 160, 200)).save(path, format="JPEG")
    return path


def grouped(posts) -> dict[str, list[str]]:
    return {p.name: [Path(i.display).name for i in p.inputs] for p in posts}


def run_json(cli, school, *args) -> tuple[int, dict]:
    res = cli(*args, "--config", school.config, "-f", "json")
    assert "Traceback" not in res.output
    return res.exit_code, json.loads(res.stdout)


# --- the stem rule in a folder ----------------------------------------------------------


def test_numbered_drafts_in_a_folder_are_separate_posts(tmp_path):
    batch = tmp_path / "week"
    for n in (1, 2, 3):
        write(batch / f"newsletter-{n}.txt")
    photo(batch / "newsletter-2.jpg")
    write(batch / "assembly.txt")
    photo(batch / "assembly.jpg")
    photo(batch / "assembly-2.jpg")
    photo(batch / "assembly (3).jpg")
    photo(batch / "sports-day.jpg")
    photo(batch / "sports-day_2.jpg")
    assert grouped(collect_posts([str(batch)])) == {
        "assembly": ["assembly (3).jpg", "assembly-2.jpg", "assembly.jpg", "assembly.txt"],
        "newsletter-1": ["newsletter-1.txt"],
        "newsletter-2": ["newsletter-2.jpg", "newsletter-2.txt"],  # the photo of its own stem
        "newsletter-3": ["newsletter-3.txt"],
        "sports-day": ["sports-day.jpg", "sports-day_2.jpg"],  # photos of no draft, grouped
    }


def test_a_drafts_other_formats_join_it_and_the_report_says_so(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    write(batch / "trip.txt")
    write(batch / "trip.md")
    posts = collect_posts([str(batch)])
    assert grouped(posts) == {"trip": ["trip.md", "trip.txt"]}
    _, report = run_json(cli, quiet_school, batch)
    (post,) = report["posts"]
    assert any("2 drafts in this one post" in n and "--group file" in n for n in post["notes"])


# --- --group for files named on the command line ----------------------------------------


def test_group_modes_for_named_files(tmp_path):
    folder = tmp_path / "posts"
    files = [
        write(folder / "newsletter-1.txt"),
        write(folder / "newsletter-2.txt"),
        photo(folder / "newsletter-2.jpg"),
        write(folder / "trip.txt"),
        write(folder / "trip.html", "<p>Trip</p>"),
        photo(folder / "trip-2.jpg"),
        photo(folder / "stray.png"),
        photo(folder / "stray-2.png"),
    ]
    args = [str(f) for f in files]
    (one,) = collect_posts(args)  # --group post, the default
    assert one.name == "newsletter-1" and len(one.inputs) == 8
    assert "4 drafts in this one post" in one.notes[0] and "--group stem" in one.notes[0]
    assert grouped(collect_posts(args, group="stem")) == {
        "newsletter-1": ["newsletter-1.txt"],
        "newsletter-2": ["newsletter-2.txt", "newsletter-2.jpg"],
        "trip": ["trip.txt", "trip.html", "trip-2.jpg"],
        "stray": ["stray.png", "stray-2.png"],
    }
    by_file = collect_posts(args, group="file")
    assert [(p.name, [Path(i.display).name for i in p.inputs]) for p in by_file] == [
        ("newsletter-1", ["newsletter-1.txt"]),
        ("newsletter-2", ["newsletter-2.txt", "newsletter-2.jpg"]),
        ("trip", ["trip.txt", "trip-2.jpg"]),
        ("trip", ["trip.html"]),
        ("stray", ["stray.png"]),
        ("stray-2", ["stray-2.png"]),
    ]
    assert not any(p.notes for p in by_file)


def test_group_stem_keeps_folders_apart_and_names_posts_by_folder(tmp_path):
    a = write(tmp_path / "posts" / "autumn" / "trip.txt")
    b = write(tmp_path / "posts" / "spring" / "trip.txt")
    b_photo = photo(tmp_path / "posts" / "spring" / "trip.jpg")
    posts = collect_posts([str(a), str(b), str(b_photo)], group="stem")
    assert [(p.name.rsplit("/", 2)[-2:], len(p.inputs)) for p in posts] == [
        (["autumn", "trip"], 1),
        (["spring", "trip"], 2),
    ]


def test_group_stem_through_the_cli_checks_each_numbered_draft(cli, quiet_school, tmp_path):
    one = write(tmp_path / "news-1.txt")
    two = write(tmp_path / "news-2.txt", "")  # empty: blocks its own post only
    code, report = run_json(cli, quiet_school, one, two, "--group", "stem")
    assert {p["name"]: p["verdict"] for p in report["posts"]} == {"news-1": "pass", "news-2": "block"}
    assert code == 2
    code, report = run_json(cli, quiet_school, one, two)  # one post: the empty draft blocks it all
    assert [p["name"] for p in report["posts"]] == ["news-1"] and code == 2
    assert any("2 drafts in this one post" in n for n in report["posts"][0]["notes"])


def test_stdin_is_a_post_of_its_own_when_grouping(tmp_path):
    d = write(tmp_path / "trip.txt")
    posts = collect_posts(["-", str(d)], stdin=b"From standard input.\n", group="stem")
    assert grouped(posts) == {"stdin": ["<stdin>"], "trip": ["trip.txt"]}


def test_unknown_group_mode_is_a_usage_error(cli, quiet_school, tmp_path):
    res = cli(write(tmp_path / "a.txt"), "--config", quiet_school.config, "--group", "folder")
    assert res.exit_code == 64


# --- per-post channel -------------------------------------------------------------------


def test_channel_folders_at_any_depth_set_each_posts_channel(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    write(batch / "official" / "newsletter.txt")
    write(batch / "official" / "sports-day" / "caption.txt")
    photo(batch / "official" / "sports-day" / "photos" / "race.jpg")
    write(batch / "2025" / "summer" / "personal" / "my-class.txt")
    write(batch / "2025" / "summer" / "official" / "fair.txt")
    write(batch / "weekend.txt")
    code, report = run_json(cli, quiet_school, batch)
    posts = {p["name"]: p for p in report["posts"]}
    assert {n: p["channel"] for n, p in posts.items()} == {
        "official/newsletter": "official",
        "official/sports-day": "official",
        "2025/summer/personal/my-class": "personal",
        "2025/summer/official/fair": "official",
        "weekend": "personal",  # the default (the config's channel)
    }
    assert len(posts["official/sports-day"]["inputs"]) == 2  # a subfolder is still one post
    rules = {n: {f["rule"] for f in p["findings"]} for n, p in posts.items()}
    assert rules["official/newsletter"] == {"official-authorisation"}
    assert rules["2025/summer/personal/my-class"] == set() and rules["weekend"] == set()
    assert report["channel"] == "personal" and code == 1


def test_channel_option_is_the_default_for_posts_that_do_not_say(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    write(batch / "personal" / "mine.txt")
    write(batch / "loose.txt")
    _, report = run_json(cli, quiet_school, batch, "--channel", "official")
    assert {p["name"]: p["channel"] for p in report["posts"]} == {
        "loose": "official",
        "personal/mine": "personal",
    }


def test_named_file_in_a_channel_folder_takes_its_channel(cli, quiet_school, tmp_path):
    d = write(tmp_path / "posts" / "official" / "news.txt")
    code, report = run_json(cli, quiet_school, d, "--group", "stem")
    assert report["posts"][0]["channel"] == "official" and code == 1


def test_first_line_sets_the_channel(cli, quiet_school, tmp_path):
    official = write(tmp_path / "a.txt", "channel: official\nSports day is on Friday.\n")
    plain = write(tmp_path / "b.txt", "Sports day is on Friday.\n")
    front = write(tmp_path / "c.md", "---\ntitle: Fair\nChannel: 'Official'\n---\nThe fair is on.\n")
    code, report = run_json(cli, quiet_school, official, plain, front, "--group", "file")
    assert {p["name"]: p["channel"] for p in report["posts"]} == {
        "a": "official",
        "b": "personal",
        "c": "official",
    }
    assert code == 1
    res = cli(official, "--config", quiet_school.config, "--approval", "HT-7")
    assert res.exit_code == 0 and "official channel" in res.stdout and "approval HT-7" in res.stdout


def test_first_line_wins_over_the_folder_and_says_so(cli, quiet_school, tmp_path):
    d = write(tmp_path / "official" / "mine.txt", "channel: personal\nMy weekend.\n")
    code, report = run_json(cli, quiet_school, d)
    (post,) = report["posts"]
    assert post["channel"] == "personal" and code == 0
    assert any("set by the first line" in n and "official/" in n for n in post["notes"])


@pytest.mark.parametrize(
    ("first", "why"),
    [("channel: offical\n", "not a channel"), ("channel: official\n", "different channels")],
)
def test_unknown_or_conflicting_channel_blocks_the_post(cli, quiet_school, tmp_path, first, why):
    a = write(tmp_path / "post" / "a.txt", first + "Hello.\n")
    b = write(tmp_path / "post" / "b.txt", "channel: personal\nHello.\n")
    code, report = run_json(cli, quiet_school, a, b)
    (post,) = report["posts"]
    errors = [f["message"] for f in post["findings"] if f["rule"] == "check-error"]
    assert post["verdict"] == "block" and code == 2
    assert any(why in m and "channel is unknown" in m for m in errors), errors


def test_declared_channel_and_choose():
    assert declared_channel("\n\n  Channel:  OFFICIAL  \nHello") == "official"
    assert declared_channel("Hello\nchannel: official") is None  # only the first line counts
    assert declared_channel('+++\ntitle = "x"\nchannel: "personal"\n+++\nbody') == "personal"
    assert declared_channel("---\ntitle: x\n---\nchannel: official") is None
    assert choose("personal", [], []).channel == "personal"
    assert choose("personal", [("official", "official/")], []).channel == "official"
    both = choose("personal", [("official", "a/official/"), ("personal", "b/personal/")], [])
    assert both.problem and "different channels" in both.problem


# --- a batch in worker processes --------------------------------------------------------


def test_workers_get_a_share_of_the_cpus_and_the_posts_their_channels(
    cli, quiet_school, tmp_path, monkeypatch
):
    from postcheck import batch

    for var in batch._THREAD_VARS:
        monkeypatch.setenv(var, "8")  # put back after the test
    monkeypatch.setattr(batch, "_WORKER_SESSION", None)
    batch._init_worker(None, 1)  # type: ignore[arg-type]
    assert all(os.environ[var] == "1" for var in batch._THREAD_VARS)
    batch = tmp_path / "batch"
    write(batch / "official" / "a.txt")
    write(batch / "b.txt")
    write(batch / "c.txt", "channel: official\nHello.\n")
    _, one = run_json(cli, quiet_school, batch)
    _, two = run_json(cli, quiet_school, batch, "--jobs", "2")
    assert one == two
    assert {p["name"]: p["channel"] for p in two["posts"]} == {
        "official/a": "official",
        "b": "personal",
        "c": "official",
    }
