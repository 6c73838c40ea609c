"""Photos decoded once, at the size the checks need; boxes stay in the full photo's pixels."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from postcheck.images import open_image
from postcheck.model import InputFile


def sideways_jpeg(
    tmp_path: Path, size: tuple[int, int] = (4032, 3024)
) -> tuple[Path, tuple[int, int, int, int]]:
    """A photo as a phone stores a portrait: pixels turned, EXIF orientation 6. Returns
    the file and a black square's box (top, right, bottom, left) as a viewer sees it."""
    W, H = size
    upright = Image.new("RGB", (W, H), (200, 210, 220))
    box = (300, 1500, 700, 1100)  # top, right, bottom, left
    ImageDraw.Draw(upright).rectangle([box[3], box[0], box[1] - 1, box[2] - 1], fill=(0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "portrait.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(path, quality=92, exif=exif)
    return path, box


def _dark_box(im: Image.Image) -> tuple[int, int, int, int]:
    bbox = Image.eval(im.convert("L"), lambda v: 255 if v < 60 else 0).getbbox()
    assert bbox is not None
    left, top, right, bottom = bbox
    return top, right, bottom, left


def test_jpeg_is_decoded_to_the_reduced_size_only_until_full_resolution_is_asked_for(tmp_path):
    path, box = sideways_jpeg(tmp_path)
    loaded = open_image(InputFile(path.name, "image", path), min_scale=0.5, full=False)
    assert loaded.size == (4032, 3024)  # as a viewer sees it, full resolution
    assert loaded.reduced.size == (2016, 1512)  # the decoder's half-size scaling
    assert loaded._full is None  # nothing decoded at full size yet
    # the square, found in the reduced copy and mapped back, is where it is in the full photo
    found = loaded.to_full(_dark_box(loaded.reduced))
    assert all(abs(a - b) <= 3 for a, b in zip(found, box, strict=True)), (found, box)
    # full resolution on demand, turned the same way
    assert loaded.image.size == (4032, 3024)
    full = _dark_box(loaded.image)
    assert all(abs(a - b) <= 2 for a, b in zip(full, box, strict=True)), (full, box)


def test_full_decode_makes_the_reduced_copy_from_the_same_pixels(tmp_path):
    path, _box = sideways_jpeg(tmp_path)
    full = open_image(InputFile(path.name, "image", path), min_scale=0.5, full=True)
    drafted = open_image(InputFile(path.name, "image", path), min_scale=0.5, full=False)
    assert full._full is not None and full.reduced.size == drafted.reduced.size == (2016, 1512)
    assert _dark_box(full.reduced) == _dark_box(drafted.reduced) or all(
        abs(a - b) <= 2 for a, b in zip(_dark_box(full.reduced), _dark_box(drafted.reduced), strict=True)
    )


def test_small_photo_is_not_reduced(tmp_path):
    path = tmp_path / "small.png"
    Image.new("RGB", (1200, 900), (10, 20, 30)).save(path)
    loaded = open_image(InputFile(path.name, "image", path), min_scale=0.5, full=False)
    assert loaded.reduced.size == loaded.size == (1200, 900)
    assert loaded.reduced_scale == (1.0, 1.0)
