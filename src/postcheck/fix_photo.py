"""Photos for ``postcheck fix``: faces and text boxes covered, orientation baked
into the pixels, metadata dropped except the colour profile (see
:mod:`postcheck.fix`). Pillow is imported inside the functions that use it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from postcheck.model import FaceBox, Finding, InputFile
from postcheck.register import Register

FACE_RULES = ("face-no-consent", "pupil-photo-personal", "face-unknown")
COVERS = ("solid", "pixelate", "blur")

# JPEG for anything Pillow cannot write back as itself (HEIC, GIF, ...).
_SAVE_AS = {
    "jpeg": ("JPEG", ".jpg"),
    "mpo": ("JPEG", ".jpg"),
    "png": ("PNG", ".png"),
    "webp": ("WEBP", ".webp"),
    "tiff": ("TIFF", ".tif"),
}


# --- photos --------------------------------------------------------------------------


Region = tuple[int, int, int, int]  # left, top, right, bottom (Pillow order)


def head_region(
    box: tuple[int, int, int, int],
    size: tuple[int, int],
    side: float = 0.4,
    above: float = 0.7,
    below: float = 0.4,
) -> Region:
    """A face box ``(top, right, bottom, left)`` grown to cover the whole head.

    Face detectors box the eyes-to-chin area; hair, ears and forehead identify
    a child too, so the box grows by ``side`` of its width on each side,
    ``above`` of its height above and ``below`` below, clipped to the image.
    """
    top, right, bottom, left = box
    w = max(1, right - left)
    h = max(1, bottom - top)
    width, height = size
    return (
        max(0, int(left - side * w)),
        max(0, int(top - above * h)),
        min(width, int(right + side * w + 0.999)),
        min(height, int(bottom + below * h + 0.999)),
    )


def text_region(box: tuple[int, int, int, int], size: tuple[int, int], pad: float = 0.15) -> Region:
    top, right, bottom, left = box
    h = max(1, bottom - top)
    p = int(pad * h) + 2
    width, height = size
    return (max(0, left - p), max(0, top - p), min(width, right + p), min(height, bottom + p))


def cover(image: Any, region: Region, mode: str = "solid") -> None:
    """Cover ``region`` of the RGB Pillow ``image`` in place.

    ``solid`` paints it over (nothing of the face survives); ``pixelate`` keeps
    about six blocks across the head; ``blur`` averages the region down to a few
    pixels and blurs it back up, far past what face detectors or recognisers
    can use.
    """
    from PIL import Image, ImageDraw, ImageFilter

    left, top, right, bottom = region
    w, h = right - left, bottom - top
    if w <= 0 or h <= 0:
        return
    if mode == "solid":
        ImageDraw.Draw(image).rectangle((left, top, right - 1, bottom - 1), fill=(96, 96, 96))
        return
    crop = image.crop(region)
    if mode == "pixelate":
        blocks = 6
        small = crop.resize((max(1, blocks), max(1, round(blocks * h / w))), Image.Resampling.BOX)
        image.paste(small.resize((w, h), Image.Resampling.NEAREST), (left, top))
        return
    if mode == "blur":
        small = crop.resize((max(1, w // 24), max(1, h // 24)), Image.Resampling.BOX)
        smooth = small.resize((w, h), Image.Resampling.BICUBIC)
        smooth = smooth.filter(ImageFilter.GaussianBlur(radius=max(4, max(w, h) / 10)))
        image.paste(smooth, (left, top))
        return
    raise ValueError(f"unknown cover {mode!r}: expected one of {', '.join(COVERS)}")


def faces_to_cover(
    boxes: Sequence[FaceBox], findings: Sequence[Finding], channel: str, register: Register
) -> list[tuple[tuple[int, int, int, int], str]]:
    """Face boxes to cover, each with its label (pupil id or "unknown").

    Every face whose status is not ``ok``; on a personal post also every
    recognised pupil; and any face finding's box, in case the face check
    reported a face without a box record.
    """
    out: list[tuple[tuple[int, int, int, int], str]] = []
    for fb in boxes:
        person = register.by_id(fb.person) if fb.person else None
        pupil_on_personal = channel == "personal" and person is not None and not person.is_staff
        if fb.status != "ok" or pupil_on_personal:
            out.append((tuple(fb.box), fb.person or "unknown"))  # type: ignore[arg-type]
    known = {b for b, _ in out}
    for f in findings:
        if f.rule in FACE_RULES and f.box is not None and tuple(f.box) not in known:
            out.append((tuple(f.box), f.person or "unknown"))  # type: ignore[arg-type]
            known.add(tuple(f.box))  # type: ignore[arg-type]
    return out


def texts_to_cover(findings: Sequence[Finding]) -> list[Finding]:
    """Findings about what is seen in a photo apart from faces (OCR of name
    badges, certificates and boards; a Trust logo) that carry a box: the box is
    covered."""
    return [f for f in findings if f.box is not None and f.rule not in FACE_RULES and f.rule != "check-error"]


def _icc_for_rgb(info: dict[str, Any]) -> bytes | None:
    icc = info.get("icc_profile")
    if isinstance(icc, bytes) and len(icc) >= 20 and icc[16:20] == b"RGB ":
        return icc
    return None


def metadata_found(loaded: Any) -> list[str]:
    """What metadata the original carries, in words, for the fix summary."""
    found: list[str] = []
    exif = loaded.exif
    if exif is not None and len(exif):
        parts = []
        if 0x8825 in exif:
            parts.append("GPS")
        try:
            if 0x927C in exif.get_ifd(0x8769):
                parts.append("maker notes")
        except (KeyError, ValueError, TypeError):
            pass
        try:
            if exif.get_ifd(1) or 0x0201 in exif:
                parts.append("thumbnail")
        except (KeyError, ValueError, TypeError):
            pass
        found.append("EXIF" + (f" ({', '.join(parts)})" if parts else ""))
    info = loaded.info or {}
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.append("XMP")
    if info.get("photoshop") or info.get("iptc"):
        found.append("IPTC")
    if info.get("comment"):
        found.append("comment")
    text_keys = [k for k in info if isinstance(info[k], str) and k not in ("xmp", "XML:com.adobe.xmp")]
    if text_keys:
        found.append("text fields")
    return found


@dataclass(frozen=True)
class PhotoFix:
    faces_covered: int
    texts_covered: int
    regions: tuple[Region, ...]
    metadata_removed: tuple[str, ...]
    rotated: bool
    format: str
    data: bytes
    icc_kept: bool = False


def fix_photo_bytes(
    item: InputFile,
    faces: Sequence[tuple[int, int, int, int]],
    texts: Sequence[tuple[int, int, int, int]],
    cover_mode: str = "solid",
) -> PhotoFix:
    """The repaired photo's bytes: oriented, covered, metadata-free, colour profile kept."""
    import io

    from postcheck.images import open_image

    loaded = open_image(item)
    image = loaded.image.copy()
    size = image.size
    regions = [head_region(b, size) for b in faces] + [text_region(b, size) for b in texts]
    for region in regions:
        cover(image, region, cover_mode)
    pil_format, _ = _SAVE_AS.get(loaded.format, ("JPEG", ".jpg"))
    clean = image.copy()
    clean.info = {}  # nothing of the original's metadata travels with the pixels
    params: dict[str, Any] = {}
    icc = _icc_for_rgb(loaded.info)
    if icc:
        params["icc_profile"] = icc
    if pil_format == "JPEG":
        params.update(quality=92, optimize=True)
    elif pil_format == "WEBP":
        params.update(quality=92)
    elif pil_format == "TIFF":
        params.update(compression="tiff_lzw")
    buf = io.BytesIO()
    clean.save(buf, format=pil_format, **params)
    return PhotoFix(
        faces_covered=len(faces),
        texts_covered=len(texts),
        regions=tuple(regions),
        metadata_removed=tuple(metadata_found(loaded)),
        rotated=loaded.orientation not in (0, 1),
        format=pil_format,
        data=buf.getvalue(),
        icc_kept=icc is not None,
    )


__all__ = ["COVERS", "PhotoFix", "cover", "faces_to_cover", "fix_photo_bytes", "head_region"]
