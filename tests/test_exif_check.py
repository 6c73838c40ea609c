"""An EXIF block is read whole or listed as unreadable (vision/exif_check.py), and
pictures past the pixel limit are refused, whatever the process's warning filters
say: a draft and its photos are checked in two threads, which share them."""

from __future__ import annotations

import random
import struct
import warnings
from pathlib import Path

import pytest
from PIL import Image

from postcheck.images import open_image
from postcheck.model import InputFile
from postcheck.vision.exif_check import exif_problem
from postcheck.vision.meta import read_metadata

piexif = pytest.importorskip("piexif", reason="piexif (a dev dependency) writes the EXIF blocks")


def block() -> bytes:
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((53, 1), (44, 1), (4472, 100)),
        piexif.GPSIFD.GPSLongitudeRef: b"W",
        piexif.GPSIFD.GPSLongitude: ((0, 1), (20, 1), (1212, 100)),
    }
    zeroth = {piexif.ImageIFD.ImageDescription: b"Sports day, Amelia Smith", piexif.ImageIFD.Make: b"Phone"}
    exif = {piexif.ExifIFD.DateTimeOriginal: b"2024:07:01 10:00:00"}
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps, "1st": {}, "thumbnail": None})


def description_past_the_end() -> bytes:
    """IFD0 with one ImageDescription whose 40 bytes lie past the end of the block."""
    desc = b"Amelia Smith at the park on Saturday...\x00"
    header = b"II" + struct.pack("<HL", 42, 8)
    entry = struct.pack("<HHLL", 270, 2, len(desc), 8 + 2 + 12 + 4 + 1000)
    return b"Exif\x00\x00" + header + struct.pack("<H", 1) + entry + struct.pack("<L", 0) + desc


def pillow_skips(raw: bytes) -> bool:
    """Whether Pillow warns or fails reading ``raw`` (IFD0, Exif and GPS)."""
    exif = Image.Exif()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exif.load(raw)
            for ifd in (0x8769, 0x8825):
                exif.get_ifd(ifd)
        except Exception:
            return True
    return any(issubclass(w.category, UserWarning) for w in caught)


def test_a_whole_block_has_no_problem_and_a_cut_one_does():
    raw = block()
    assert exif_problem(raw) is None
    assert exif_problem(raw[:-10]) is not None
    assert "past the end" in (exif_problem(description_past_the_end()) or "")


def test_every_field_pillow_would_skip_is_found():
    """Cut at every length and damaged at random: whenever Pillow would skip a field
    (and so never show it to the text rules), the block is listed as unreadable."""
    raw = block()
    damaged = [raw[:cut] for cut in range(7, len(raw))]
    rng = random.Random(7)
    for _ in range(3000):
        b = bytearray(raw)
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        damaged.append(bytes(b))
    missed = [d for d in damaged if pillow_skips(d) and exif_problem(d) is None]
    assert missed == []
    assert sum(exif_problem(d) is not None for d in damaged) > 1000  # the damage was real


@pytest.mark.parametrize("action", ["ignore", "error", "always"])
def test_an_unreadable_exif_block_is_found_whatever_the_warning_filters(tmp_path: Path, action: str):
    path = tmp_path / "trip.jpg"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(path, exif=description_past_the_end())
    from postcheck.errors import UnreadableInput

    with warnings.catch_warnings(record=True):  # recorded, not shown in the test output
        warnings.simplefilter(action)
        if action == "error":  # Pillow's warning is then an exception: the photo is unreadable
            with pytest.raises(UnreadableInput):
                open_image(InputFile(path.name, "image", path=path))
            return
        meta = read_metadata(open_image(InputFile(path.name, "image", path=path)))
    assert [u.block for u in meta.unreadable] == ["EXIF"]
    assert "past the end" in meta.unreadable[0].reason


@pytest.mark.parametrize("action", ["ignore", "default"])
def test_a_picture_past_the_pixel_limit_is_refused_whatever_the_warning_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str
):
    """Between one and two times the limit Pillow only warns: the size itself refuses it."""
    from postcheck.errors import UnreadableInput

    path = tmp_path / "big.png"
    Image.new("RGB", (120, 100), "white").save(path)  # 12,000 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with warnings.catch_warnings(record=True):  # recorded, not shown in the test output
        warnings.simplefilter(action)
        with pytest.raises(UnreadableInput, match="too large"):
            open_image(InputFile(path.name, "image", path=path))
