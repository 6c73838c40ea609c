"""The parts of a picture: every frame, page or image, and every thumbnail.

A viewer may show any of them, so each is checked like a photo of its own
(faces, text, logos, metadata). :func:`image_parts` yields the parts after
the first (the first is the photo the runner opens with
:func:`postcheck.images.open_image`), each as an input named after the picture
and the part: ``photo.gif (frame 2)``, ``scan.tif (page 3)``,
``photo.heic (image 2)``, ``photo.jpg (EXIF thumbnail)``, ``photo.heic (HEIC
thumbnail)``.

* A frame that repeats an earlier frame pixel for pixel is not checked again:
  it was covered when the earlier one was.
* A thumbnail (EXIF, or a HEIC file's own) that is a scaled copy of its photo
  is covered by the photo's own checks (everything it shows, the photo shows
  larger); any other thumbnail (a stale one, left behind when the photo was
  cropped or edited) is checked as a photo of its own. "Scaled copy": the
  photo, scaled to the thumbnail's size, differs from it by at most
  :data:`COPY_MAX_DIFFERENCE` grey levels on average over every 8 x 8 block,
  and (:func:`thumbnail_covered`, with :func:`faces_not_in`) the thumbnail shows no
  face the photo's face check did not find. See docs/images.md for the
  measurements behind both.
* A picture with more than :data:`postcheck.limits.IMAGE_MAX_FRAMES` frames
  has its first frames checked and the rest reported as not checked (blocks).
* A part larger than Pillow's ``MAX_IMAGE_PIXELS``, or that cannot be decoded,
  is reported as not checked (blocks).

:func:`open_embedded` decodes a picture held in memory (one found inside a
.docx or an HTML page) the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from postcheck.errors import UnreadableInput
from postcheck.images import LoadedImage, _register_heif, _to_rgb, open_picture
from postcheck.limits import IMAGE_MAX_FRAMES
from postcheck.model import InputFile

# Largest mean difference (grey levels, 0-255) over any 8 x 8 block between a
# thumbnail and its photo scaled to the same size for the thumbnail to count as a
# scaled copy. Measured: real camera thumbnails 6.6-8.0, thumbnails made at 160 px
# at most 4.0; a stale thumbnail after a crop 72.8 or more, after a face was covered
# 39.0 or more, after a face was blurred 10.7 or more.
COPY_MAX_DIFFERENCE = 10.0

_WORD = {"GIF": "frame", "WEBP": "frame", "PNG": "frame", "TIFF": "page", "HEIF": "image", "MPO": "image"}
_ORIENT = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE"}
_ORIENT |= {6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


@dataclass(frozen=True)
class Part:
    """One part of a picture: ``loaded`` when it was decoded, else ``problem``."""

    item: InputFile
    loaded: LoadedImage | None = None
    problem: str | None = None


def part_of(item: InputFile, label: str) -> InputFile:
    """The input that stands for part ``label`` of ``item``."""
    return dataclasses.replace(item, display=f"{item.display} ({label})")


@contextmanager
def _opened(item: InputFile) -> Iterator[Any]:
    """The picture opened with Pillow, truncated files refused, bombs refused."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    _register_heif()
    source: Any = item.path if item.data is None else io.BytesIO(item.data)
    try:
        with open_picture(source) as im:
            yield im
    except Image.DecompressionBombError as exc:
        raise UnreadableInput(f"too large to check safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableInput("not a picture postcheck can read, or the file is corrupt") from exc
    except (OSError, SyntaxError, ValueError, EOFError, Warning) as exc:  # a warning made an error
        raise UnreadableInput(f"the picture could not be decoded ({exc or exc.__class__.__name__})") from exc


def open_embedded(item: InputFile) -> LoadedImage:
    """Decode the first frame of a picture held in ``item.data``."""
    with _opened(item) as im:
        return _decode(im, item)


def _decode(im: Any, item: InputFile) -> LoadedImage:
    """The current frame of ``im``: RGB, turned by its EXIF orientation."""
    from PIL import Image

    w, h = im.size
    limit = Image.MAX_IMAGE_PIXELS
    if limit and w * h > limit:
        raise UnreadableInput(f"too large to check safely ({w} x {h} pixels; the limit is {limit} pixels)")
    exif = im.getexif()
    info = dict(im.info)
    iptc = _iptc(im)
    if iptc is not None:
        info["iptc"] = iptc  # this frame's own IPTC (a TIFF page has its own)
    try:
        im.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        msg = str(exc)
        if "truncated" in msg or "broken" in msg.lower():
            raise UnreadableInput("the picture is truncated or corrupt") from exc
        raise UnreadableInput(f"the picture could not be decoded ({msg or exc.__class__.__name__})") from exc
    orientation = int(exif.get(0x0112, 1) or 1)
    rgb = _to_rgb(im)
    if orientation in _ORIENT:
        rgb = rgb.transpose(getattr(Image.Transpose, _ORIENT[orientation]))
    fmt = (im.format or "").lower()
    return LoadedImage.from_pixels(
        item.path, item.display, fmt, rgb, orientation, exif, info, (w, h), item.data
    )


Covered = Callable[[Any, LoadedImage], bool]


def image_parts(
    item: InputFile, first: LoadedImage, notes: list[str] | None = None, covered: Covered | None = None
) -> Iterator[Part]:
    """Every part of picture ``item`` after its first frame ``first`` (see the
    module docstring). ``covered(thumbnail, photo)`` decides whether a thumbnail
    is covered by its photo's checks (default: :func:`is_scaled_copy`).

    Raises :class:`UnreadableInput` only if the picture cannot be opened at all."""
    with _opened(item) as im:
        frames = int(getattr(im, "n_frames", 1) or 1)
        word = _WORD.get(im.format or "", "frame")
        heif = im.format == "HEIF"
        # per frame: its EXIF block (which may hold a thumbnail) and its decoded pixels
        thumbs: list[tuple[Any, LoadedImage | None]] = [(im.info.get("exif"), first)]
        if frames > 1:
            yield from _frames(im, item, frames, word, thumbs, notes)
    if heif:
        yield from _heif_thumbnails(item, [photo for _raw, photo in thumbs], word, covered)
    seen: set[bytes] = set()
    for n, (raw, photo) in enumerate(thumbs, 1):
        if not raw or bytes(raw) in seen:
            continue
        seen.add(bytes(raw))
        label = "EXIF thumbnail" if n == 1 else f"{word} {n}, EXIF thumbnail"
        yield from _thumbnail(item, raw, label, photo, covered)


def _frames(
    im: Any,
    item: InputFile,
    frames: int,
    word: str,
    thumbs: list[tuple[Any, LoadedImage | None]],
    notes: list[str] | None,
) -> Iterator[Part]:
    checked = min(frames, IMAGE_MAX_FRAMES)
    if frames > checked:
        yield Part(
            part_of(item, f"{word}s {checked + 1} to {frames}"),
            problem=f"the picture has {frames} {word}s and postcheck checks at most {IMAGE_MAX_FRAMES}, "
            f"so {word}s {checked + 1} to {frames} were not checked",
        )
    seen = {_digest(im)}
    repeats = 0
    for index in range(1, checked):
        part = part_of(item, f"{word} {index + 1}")
        try:
            im.seek(index)
            digest = _digest(im)
            if digest in seen:
                repeats += 1
                thumbs.append((None, None))
                continue
            seen.add(digest)
            # the file's name and its file-wide metadata were read with the first frame
            loaded = dataclasses.replace(_decode(im, part), path=None, data=None)
        except UnreadableInput as exc:
            thumbs.append((None, None))
            yield Part(part, problem=exc.reason)
            continue
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            thumbs.append((None, None))
            yield Part(part, problem=f"the {word} could not be decoded ({exc or exc.__class__.__name__})")
            continue
        thumbs.append((loaded.info.get("exif"), loaded))
        yield Part(part, loaded)
    if repeats and notes is not None:
        notes.append(
            f"{item.display}: {repeats} of its {checked} {word}s repeat an earlier {word} exactly "
            "and were checked once"
        )


def _iptc(im: Any) -> dict[Any, Any] | None:
    if (im.format or "") not in ("JPEG", "TIFF", "MPO"):
        return None
    from PIL import IptcImagePlugin

    try:
        return IptcImagePlugin.getiptcinfo(im) or {}
    except Exception:
        return None  # the metadata checks read the file's IPTC themselves and report what fails


def _digest(im: Any) -> bytes:
    from PIL import Image

    w, h = im.size
    if Image.MAX_IMAGE_PIXELS and w * h > Image.MAX_IMAGE_PIXELS:
        return b"too large: %d" % id(im)  # never equal: _decode reports it
    im.load()
    # in RGB: a GIF's first frame is decoded as a palette image, the others are not
    rgb = (
        im
        if im.mode == "RGB"
        else im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
    )
    return hashlib.blake2b(rgb.tobytes(), digest_size=16).digest() + f"{rgb.mode}{rgb.size}".encode()


def _thumbnail(
    item: InputFile, raw: Any, label: str, photo: LoadedImage | None, covered: Covered | None
) -> Iterator[Part]:
    """The JPEG thumbnail in an EXIF block's IFD1, decoded, unless it is a scaled
    copy of ``photo``."""
    from PIL import ExifTags, Image

    raw = bytes(raw)
    exif = Image.Exif()
    try:
        exif.load(raw)
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        return  # an EXIF block that does not parse is reported by the metadata checks
    orientation = int(exif.get(0x0112, 1) or 1)  # the thumbnail is stored like the photo
    part = part_of(item, label)
    if 0x0201 not in ifd1:
        if 0x0111 in ifd1:  # StripOffsets: an uncompressed thumbnail
            yield Part(part, problem="an uncompressed EXIF thumbnail, which postcheck does not read")
        return
    start = 6 if raw.startswith(b"Exif\x00\x00") else 0
    offset, length = int(ifd1.get(0x0201, 0)), int(ifd1.get(0x0202, 0))
    blob = raw[start + offset : start + offset + length]
    if length <= 0 or len(blob) < length:
        yield Part(part, problem="the EXIF thumbnail is cut short or points outside the metadata")
        return
    thumb = InputFile(part.display, "image", None, blob)
    try:
        loaded = open_embedded(thumb)
    except UnreadableInput as exc:
        yield Part(part, problem=exc.reason)
        return
    if orientation in _ORIENT and loaded.orientation == 1:  # the photo's orientation applies to it
        turned = loaded.image.transpose(getattr(Image.Transpose, _ORIENT[orientation]))
        loaded = LoadedImage.from_pixels(
            None, loaded.display, loaded.format, turned, 1, loaded.exif, loaded.info, turned.size, loaded.data
        )
    if photo is not None and (covered or _copy)(loaded.image, photo):
        return  # covered by the photo's own checks
    yield Part(dataclasses.replace(part, data=None), loaded)


def _heif_thumbnails(
    item: InputFile, photos: list[LoadedImage | None], word: str, covered: Covered | None
) -> Iterator[Part]:
    """The thumbnails a HEIC file keeps for its images (pillow-heif), unless each
    is a scaled copy of its image."""
    from PIL import Image
    from pillow_heif import open_heif

    source: Any = item.path if item.data is None else io.BytesIO(item.data)
    try:
        heif = open_heif(source)
    except (OSError, ValueError, RuntimeError, EOFError) as exc:
        yield Part(part_of(item, "HEIC thumbnails"), problem=f"the thumbnails could not be read ({exc})")
        return
    for index, image in enumerate(heif):
        count = len(image.info.get("thumbnails", []))
        for n in range(count):
            where = f"{word} {index + 1}, " if len(heif) > 1 else ""
            part = part_of(item, f"{where}HEIC thumbnail" + (f" {n + 1}" if count > 1 else ""))
            try:
                thumb = image.get_thumbnail(n)
                w, h = thumb.size
                if Image.MAX_IMAGE_PIXELS and w * h > Image.MAX_IMAGE_PIXELS:
                    raise UnreadableInput(f"too large to check safely ({w} x {h} pixels)")
                rgb = _to_rgb(thumb.to_pillow())
            except UnreadableInput as exc:
                yield Part(part, problem=exc.reason)
                continue
            except (OSError, ValueError, RuntimeError, EOFError, IndexError) as exc:
                yield Part(part, problem=f"the thumbnail could not be decoded ({exc})")
                continue
            photo = photos[index] if index < len(photos) else None
            if photo is not None and (covered or _copy)(rgb, photo):
                continue
            yield Part(
                part, LoadedImage.from_pixels(None, part.display, "heif", rgb, 1, Image.Exif(), {}, (w, h))
            )


def thumbnail_difference(thumb: Any, photo: Any) -> float:
    """The largest mean grey-level difference over the 8 x 8 blocks of ``thumb``
    and ``photo`` scaled to its size (stretched, or fitted with black bars, as
    cameras make them), after a slight blur that evens out JPEG noise."""
    import numpy as np
    from PIL import Image, ImageFilter, ImageOps

    def grey(im: Any) -> Any:
        return np.asarray(im.convert("L").filter(ImageFilter.GaussianBlur(1)), dtype=np.float32)

    t = grey(thumb)
    h, w = t.shape
    if h < 8 or w < 8:
        return float("inf")
    best = float("inf")
    for scaled in (
        photo.resize(thumb.size, Image.Resampling.BOX),
        ImageOps.pad(photo, thumb.size, color=(0, 0, 0)),
    ):
        d = np.abs(t - grey(scaled))[: h // 8 * 8, : w // 8 * 8]
        best = min(best, float(d.reshape(h // 8, 8, w // 8, 8).mean(axis=(1, 3)).max()))
    return best


def is_scaled_copy(thumb: Any, photo: Any) -> bool:
    return thumbnail_difference(thumb, photo) <= COPY_MAX_DIFFERENCE


def _copy(thumb: Any, photo: LoadedImage) -> bool:
    return is_scaled_copy(thumb, photo.image)


def faces_not_in(
    thumb: Any, photo: Any, boxes: list[Any], detector: str, min_face_px: int, tolerance: float
) -> list[Any]:
    """The faces (at least ``min_face_px`` wide) that ``thumb`` shows and its
    ``photo`` does not: no face among ``boxes`` (the faces found in the photo) at
    the same place, or one whose face encoding is further than ``tolerance`` from
    the thumbnail's (a face blurred or pixelated in the photo after the thumbnail
    was made, which the pixel comparison can take for a copy)."""
    import numpy as np

    from postcheck.faces.detector import detect
    from postcheck.faces.encodings import encode

    tw, th = thumb.size
    w, h = photo.size
    fit = min(tw / w, th / h)  # a thumbnail fitted with bars, as some cameras make them
    mappings = ((tw / w, th / h, 0.0, 0.0), (fit, fit, (tw - w * fit) / 2, (th - h * fit) / 2))
    small = np.asarray(thumb)
    new = []
    for face in detect(small, detector, min_face_px):
        top, right, bottom, left = face
        if right - left < min_face_px:
            continue
        cx, cy = (left + right) / 2, (top + bottom) / 2
        points = [((cx - ox) / sx, (cy - oy) / sy) for sx, sy, ox, oy in mappings]
        same_place = [b for b in boxes if any(b[3] <= x <= b[1] and b[0] <= y <= b[2] for x, y in points)]
        if same_place:
            mine = encode(small, [face], detector)
            theirs = encode(np.asarray(photo), same_place, detector)
            if float(np.min(np.linalg.norm(theirs - mine[0], axis=1))) <= tolerance:
                continue
        new.append(face)
    return new


def thumbnail_covered(ctx: Any) -> Covered:
    """The runner's test of a thumbnail, for a post's context: covered by its
    photo's checks when it is a scaled copy of the photo and shows no face the
    photo's face check (``ctx.facts``) did not find as the same face."""

    def covered(thumb: Any, photo: Any) -> bool:
        if not is_scaled_copy(thumb, photo.image):
            return False
        boxes = ctx.facts.get(photo.display, {}).get("face_boxes")
        if boxes is None:  # faces were not looked for on this post: nor would they be on the thumbnail
            return True
        config = ctx.config
        new = faces_not_in(
            thumb,
            photo.image,
            [b.box for b in boxes],
            config.get("faces.detector"),
            int(config.get("faces.min_face_px")),
            float(config.get("faces.tolerance")),
        )
        return not new

    return covered
