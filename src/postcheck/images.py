"""Opening photos safely: every format we read, EXIF orientation applied first,
Pillow's decompression-bomb limit kept on, corrupt files reported, not raised.

Checks never open images themselves: they call ``ctx.image(item)`` (see
:mod:`postcheck.checks`), which calls :func:`open_image` once per input and
shares the result.

**Decoded once, at the size each check needs.** Face detection, OCR and the
logo search work on one shared *reduced* copy (:attr:`LoadedImage.reduced`): a
12 MP JPEG is decoded straight to half size by the JPEG decoder itself (Pillow's
``Image.draft``, which scales in the DCT and costs about a third of a full
decode). The full-resolution photo (:attr:`LoadedImage.image`) is decoded only
when something needs it: face encodings (chips of the faces against a
register), ``postcheck fix``, reference photos. When the caller knows it will
need full resolution (``full=True``: a register with faces to match), the photo
is decoded once at full size and the reduced copy made from it. Every box a
check reports is in the full-resolution pixels of the EXIF-rotated photo
(:meth:`LoadedImage.to_full`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.errors import UnreadableInput
from postcheck.inputs import sniff_image
from postcheck.model import InputFile

_HEIF_REGISTERED = False
# The reduced copy is at least this long: OCR reads its text lines from it and
# the logo search works at 1600 px. The face detector may ask for more
# (``min_scale``: CenterFace looks at the photo scaled by 20 / min_face_px).
WORK_SIDE = 2000
ROTATING = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def _register_heif() -> bool:
    global _HEIF_REGISTERED
    if not _HEIF_REGISTERED:
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            return False
        register_heif_opener()
        _HEIF_REGISTERED = True
    return True


@dataclass
class LoadedImage:
    """A decoded photo, EXIF orientation applied, so every box is in the
    coordinates a viewer sees. ``size`` is the full-resolution size; ``reduced``
    the shared smaller copy (RGB, rotated); ``image`` the full-resolution RGB
    photo, decoded on first use."""

    path: Path | None  # None for a picture held in memory (inside a .docx) or a later frame
    display: str
    format: str
    orientation: int
    exif: Any  # PIL.Image.Exif of the original file
    info: dict[str, Any] = field(default_factory=dict)  # Pillow's info: xmp, icc_profile, ...
    original_size: tuple[int, int] = (0, 0)  # before orientation
    data: bytes | None = None  # the picture's bytes when it has no file of its own
    reduced: Any = None  # PIL.Image.Image, RGB, orientation applied
    _full: Any = None
    reloadable: bool = True  # the full pixels can be decoded again from ``path``

    @classmethod
    def from_pixels(
        cls,
        path: Path | None,
        display: str,
        fmt: str,
        rgb: Any,
        orientation: int,
        exif: Any,
        info: dict[str, Any],
        original_size: tuple[int, int],
        data: bytes | None = None,
    ) -> LoadedImage:
        """A picture already decoded (a later frame or page, a thumbnail, a picture
        inside a draft): its pixels are kept, never decoded again from ``path``."""
        loaded = cls(path, display, fmt, orientation, exif, info, original_size, data, reloadable=False)
        loaded._full = rgb
        loaded.reduced = _reduce(rgb, 0.0, WORK_SIDE)
        return loaded

    @property
    def size(self) -> tuple[int, int]:
        w, h = self.original_size
        return (h, w) if self.orientation in ROTATING else (w, h)

    @property
    def image(self) -> Any:
        """The full-resolution RGB photo (decoded now if it was not yet)."""
        if self._full is None:
            self._full = _decode(self.path, None)[0]
        return self._full

    def release_full(self) -> None:
        """Free the full-resolution pixels (they are decoded again if asked for); a
        picture that cannot be decoded again keeps them."""
        if self.reloadable:
            self._full = None

    @property
    def reduced_scale(self) -> tuple[float, float]:
        """Full-resolution pixels per reduced pixel, (x, y)."""
        W, H = self.size
        w, h = self.reduced.size
        return W / w, H / h

    def to_full(self, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """A (top, right, bottom, left) box in the reduced copy's pixels, in full-resolution pixels."""
        sx, sy = self.reduced_scale
        W, H = self.size
        t, r, b, le = box
        return (
            max(0, math.floor(t * sy)),
            min(W, math.ceil(r * sx)),
            min(H, math.ceil(b * sy)),
            max(0, math.floor(le * sx)),
        )


def open_image(
    item: InputFile, min_scale: float = 0.0, min_side: int = WORK_SIDE, full: bool = True
) -> LoadedImage:
    """Decode ``item``; raises :class:`UnreadableInput` with a plain reason.

    The reduced copy is at least ``min_scale`` of the photo's size and at least
    ``min_side`` pixels on its longer side (never larger than the photo).
    ``full``: decode the full-resolution photo now (the reduced copy is then made
    from it); otherwise a JPEG is decoded to the reduced size only, and
    :attr:`LoadedImage.image` decodes the full photo if it is ever asked for."""
    from PIL import ImageFile

    # A library can turn this on for the whole process (face_recognition does when
    # it is imported); a truncated photo must stay unreadable, never be checked
    # half-decoded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    assert item.path is not None
    path = item.path
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if not head:
        raise UnreadableInput("the file is empty")
    kind = sniff_image(head)
    if kind == "heic" or path.suffix.lower() in (".heic", ".heif"):
        if not _register_heif():
            raise UnreadableInput("HEIC photos need pillow-heif (pip install pillow-heif)")
    if kind is None and path.suffix.lower() not in (".heic", ".heif"):
        raise UnreadableInput("not an image postcheck can read (JPEG, PNG, WebP, TIFF, HEIC)")
    want = None if full else (min_scale, min_side)
    rgb, meta = _decode(path, want, kind)
    loaded = LoadedImage(path, item.display, *meta)
    if rgb.size == loaded.size:
        loaded._full = rgb
        loaded.reduced = _reduce(rgb, min_scale, min_side)
    else:  # the JPEG decoder already reduced it
        loaded.reduced = rgb
    return loaded


def _factor(size: tuple[int, int], min_scale: float, min_side: int) -> float:
    """The fraction of ``size`` the reduced copy needs (at most 1)."""
    return min(1.0, max(min_scale, min_side / max(1, max(size))))


def _reduce(rgb: Any, min_scale: float, min_side: int) -> Any:
    """The reduced copy of a full-resolution photo: shrunk by the largest whole
    factor that keeps it at least the needed size (a box filter, as the JPEG
    decoder's own scaling)."""
    f = _factor(rgb.size, min_scale, min_side)
    k = max(1, int(1.0 / f)) if f > 0 else 1
    return rgb if k == 1 else rgb.reduce(k)


# Pillow's own warnings (a picture between one and two times its pixel limit, an
# EXIF field it skipped) are not for the user: postcheck refuses such a picture by
# its size (open_picture) and reads EXIF itself (vision/exif_check.py). It does
# not catch them: a warning filter is the whole process's, shared by the threads
# that check a draft and its photos, so what one thread sets another may undo.
warnings.filterwarnings("ignore", message=r"Image size \(\d+ pixels\) exceeds limit")
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")


@contextmanager
def open_picture(source: Any) -> Iterator[Any]:
    """``Image.open(source)``, refusing a picture of more pixels than Pillow's
    limit (``Image.MAX_IMAGE_PIXELS``) with ``DecompressionBombError``, before
    anything is decoded."""
    from PIL import Image

    with Image.open(source) as im:
        limit = Image.MAX_IMAGE_PIXELS
        if limit and im.size[0] * im.size[1] > limit:
            raise Image.DecompressionBombError(
                f"{im.size[0]}x{im.size[1]} pixels is more than the {limit:,} pixels a picture may have"
            )
        yield im


def _decode(path: Path, want: tuple[float, int] | None, kind: str | None = None) -> tuple[Any, tuple]:
    """(RGB image, orientation applied; metadata for :class:`LoadedImage`). With
    ``want`` = (min_scale, min_side), a JPEG is decoded at the smallest DCT scale
    (1/2, 1/4, 1/8) that keeps it that large."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with open_picture(path) as im:
            fmt = (im.format or kind or "").lower()
            exif = im.getexif()
            info = dict(im.info)
            original_size = im.size
            if want is not None and fmt == "jpeg":
                f = _factor(im.size, *want)
                if f < 1.0:
                    im.draft("RGB", (math.ceil(im.size[0] * f), math.ceil(im.size[1] * f)))
            im.load()
            orientation = int(exif.get(0x0112, 1) or 1)
            if orientation != 1 and im.mode == "RGB":  # turned straight from the decoded image
                rgb = ImageOps.exif_transpose(im)
            else:
                rgb = _to_rgb(im)
                rgb = ImageOps.exif_transpose(rgb) if orientation != 1 else rgb
            if orientation != 1 and rgb is not None:
                rgb.info.pop("exif", None)
    except Image.DecompressionBombError as exc:
        raise UnreadableInput(f"too large to check safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableInput("not an image postcheck can read, or the file is corrupt") from exc
    except (OSError, SyntaxError, ValueError, EOFError, Warning) as exc:  # a warning made an error
        msg = str(exc)
        if "truncated" in msg or "broken" in msg.lower():
            raise UnreadableInput("the image is truncated or corrupt") from exc
        raise UnreadableInput(f"the image could not be decoded ({msg or exc.__class__.__name__})") from exc
    return rgb, (fmt, orientation, exif, info, original_size)


def _to_rgb(im: Any) -> Any:
    """Any mode (palette, alpha, 16-bit, grayscale, CMYK) to 8-bit RGB; alpha on white."""
    from PIL import Image

    if im.mode == "RGB":
        out = im.copy()
    elif im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
    elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
        import numpy as np

        arr = np.asarray(im, dtype=np.float64)
        hi = arr.max() or 1.0
        scale = 255.0 / (65535.0 if hi > 255 else 255.0)
        out = Image.fromarray((arr * scale).clip(0, 255).astype("uint8")).convert("RGB")
    else:
        out = im.convert("RGB")
    out.info = dict(im.info)
    return out
