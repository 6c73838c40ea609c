"""Opening photos safely: every format we read, EXIF orientation applied first,
Pillow's decompression-bomb limit kept on, corrupt files reported, not raised.

Checks never open images themselves: they call ``ctx.image(item)`` (see
:mod:`postcheck.checks`), which calls :func:`open_image` once per input and
shares the result.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.errors import UnreadableInput
from postcheck.inputs import sniff_image
from postcheck.model import InputFile

_HEIF_REGISTERED = False


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
    """A decoded photo. ``image`` is RGB, already rotated by its EXIF
    orientation, so every box is in the coordinates a viewer sees."""

    path: Path | None  # None for a picture held in memory (inside a .docx) or a later frame
    display: str
    format: str
    image: Any  # PIL.Image.Image, RGB, orientation applied
    orientation: int
    exif: Any  # PIL.Image.Exif of the original file
    info: dict[str, Any] = field(default_factory=dict)  # Pillow's info: xmp, icc_profile, ...
    original_size: tuple[int, int] = (0, 0)  # before orientation
    data: bytes | None = None  # the picture's bytes when it has no file of its own

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def open_image(item: InputFile) -> LoadedImage:
    """Decode ``item``; raises :class:`UnreadableInput` with a plain reason."""
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

    # face_recognition turns this on for the whole process when it is imported;
    # a truncated photo must stay unreadable, never be checked half-decoded.
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt = (im.format or kind or "").lower()
                exif = im.getexif()
                info = dict(im.info)
                original_size = im.size
                im.load()
                orientation = int(exif.get(0x0112, 1) or 1)
                rgb = _to_rgb(im)
                rgb = ImageOps.exif_transpose(rgb) if orientation != 1 else rgb
                if orientation != 1 and rgb is not None:
                    rgb.info.pop("exif", None)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableInput(f"too large to check safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableInput("not an image postcheck can read, or the file is corrupt") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        msg = str(exc)
        if "truncated" in msg or "broken" in msg.lower():
            raise UnreadableInput("the image is truncated or corrupt") from exc
        raise UnreadableInput(f"the image could not be decoded ({msg or exc.__class__.__name__})") from exc
    return LoadedImage(path, item.display, fmt, rgb, orientation, exif, info, original_size)


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
