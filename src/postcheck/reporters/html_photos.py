"""Photos in the HTML report: downscaled JPEG thumbnails, EXIF-rotated and
without metadata, with every face that blocks or needs review blurred over the
whole head, and the inline SVG that boxes faces and text over them (see
:mod:`postcheck.reporters.html`). Pillow is imported inside the functions that
use it."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from html import escape
from typing import Any

from postcheck.model import FaceBox, Finding, InputFile, InputSummary

THUMB_MAX = 800  # longest side of an embedded photo, in pixels
THUMB_MAX_BATCH = 400  # ... when the report holds many photos
BATCH_PHOTOS = 24
THUMB_QUALITY = 75
THUMB_QUALITY_BATCH = 70

FACE_COLOURS = {"block": "#d7191c", "review": "#f0a202", "ok": "#1a9641"}
FACE_WORDS = {"block": "block", "review": "review", "ok": "consented"}
TEXT_BOX_COLOUR = "#7b3294"
FACE_RULES = ("face-no-consent", "face-unknown", "pupil-photo-personal")


def _thumbnail(
    item: InputFile,
    longest: int,
    quality: int = THUMB_QUALITY,
    hide: Sequence[tuple[int, int, int, int]] = (),
) -> tuple[str, tuple[int, int]] | None:
    """A JPEG data URI of the photo, EXIF-rotated, at most ``longest`` px, and the
    full rotated size (the coordinate space of face boxes). Each box in ``hide``
    (top, right, bottom, left, in full-size pixels) is blurred over the whole head
    before the thumbnail is encoded."""
    if item.path is None:
        return None
    loaded = _small_copy(item.path, longest)
    if loaded is None:
        return None
    small, rotated = loaded
    _blur_faces(small, rotated, hide)
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), rotated


def _small_copy(path: Any, longest: int) -> tuple[Any, tuple[int, int]] | None:
    """The photo as an RGB Pillow image of at most ``longest`` px, EXIF-rotated and
    without metadata, and its full rotated size; None when it cannot be read."""
    from PIL import Image, ImageOps

    try:
        from postcheck.images import _register_heif

        _register_heif()
    except Exception:  # HEIC support is optional
        pass
    try:
        from postcheck.images import open_picture

        with open_picture(path) as im:
            full = im.size
            orientation = int(im.getexif().get(0x0112, 1) or 1)
            if im.format == "JPEG":
                im.draft("RGB", (longest * 2, longest * 2))
            im.load()
            small = ImageOps.exif_transpose(im) if orientation != 1 else im.copy()
            if small.mode in ("RGBA", "LA", "PA") or (small.mode == "P" and "transparency" in small.info):
                rgba = small.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                small = flat
            elif small.mode != "RGB":
                small = small.convert("RGB")
            small.thumbnail((longest, longest), Image.Resampling.LANCZOS)
            small.info = {}
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError, Warning):
        # an unreadable photo is already a finding; the report says it cannot be shown
        return None
    rotated = (full[1], full[0]) if orientation in (5, 6, 7, 8) else full
    return small, rotated


def _blur_faces(small: Any, full: tuple[int, int], boxes: Sequence[tuple[int, int, int, int]]) -> None:
    """Blur each face box (full-size coordinates) over the whole head in ``small``,
    in place, as ``postcheck fix --cover blur`` does."""
    from postcheck.fix_photo import cover, head_region

    sx, sy = small.width / max(1, full[0]), small.height / max(1, full[1])
    for box in boxes:
        left, top, right, bottom = head_region(box, full)
        region = (
            max(0, int(left * sx)),
            max(0, int(top * sy)),
            min(small.width, int(right * sx + 0.999)),
            min(small.height, int(bottom * sy + 0.999)),
        )
        cover(small, region, "blur")


def photo_section(
    summary: InputSummary, item: InputFile | None, findings: Sequence[Finding], thumb: tuple[int, int]
) -> list[str]:
    # Faces to hide: every face that is not ``ok``. A photo whose faces were not
    # checked (the face check failed or is off) may show anyone, so it is not embedded.
    hide = [fb.box for fb in summary.face_boxes if fb.status != "ok"]
    hide += [f.box for f in findings if f.rule in FACE_RULES and f.box is not None and f.box not in hide]
    checked = summary.faces is not None
    embedded = _thumbnail(item, *thumb, hide=hide) if item is not None and checked else None
    size = summary.size
    if embedded is not None:
        uri, full = embedded
        size = size or full
    boxes = list(summary.face_boxes)
    texts = [f for f in findings if f.box is not None and f.rule not in FACE_RULES]
    caption_bits = [escape(summary.path)]
    if summary.faces is not None:
        caption_bits.append(f"{summary.faces} face{'s' if summary.faces != 1 else ''}")
    out = [f'<figure class="photo" data-input="{escape(summary.path)}">', '<div class="frame">']
    if embedded is not None:
        out.append(f'<img src="{uri}" alt="{escape(summary.path)}">')
    elif size is not None:
        w, h = size
        out.append(
            f'<svg class="blank" viewBox="0 0 {w} {h}" role="img" aria-label="photo not embedded" '
            f'style="position:static"><rect width="{w}" height="{h}" fill="#e6e6e6"/></svg>'
        )
    else:
        out.append('<p class="notes">This photo could not be shown.</p>')
    if item is not None and not checked:
        caption_bits.append("not shown: its faces were not checked")
    if size is not None and (boxes or texts):
        out.append(_overlay(size, boxes, texts))
    out.append("</div>")
    out.append(f"<figcaption>{' · '.join(caption_bits)}</figcaption>")
    out.append("</figure>")
    return out


def _overlay(size: tuple[int, int], boxes: Sequence[FaceBox], texts: Sequence[Finding]) -> str:
    w, h = size
    stroke = max(2, round(max(w, h) / 250))
    font = max(12, round(max(w, h) / 45))
    parts = [f'<svg viewBox="0 0 {w} {h}" preserveAspectRatio="none" aria-hidden="false" role="group">']
    for fb in boxes:
        top, right, bottom, left = fb.box
        colour = FACE_COLOURS.get(fb.status, FACE_COLOURS["review"])
        label = fb.person or "unknown"
        word = FACE_WORDS.get(fb.status, fb.status)
        y = top - stroke * 2 if top - font - stroke * 2 > 0 else bottom + font
        parts.append(
            f'<g class="face face-{escape(fb.status)}" data-label="{escape(label)}">'
            f"<title>{escape(label)}: {escape(word)}</title>"
            f'<rect x="{left}" y="{top}" width="{max(1, right - left)}" height="{max(1, bottom - top)}" '
            f'fill="none" stroke="{colour}" stroke-width="{stroke}"/>'
            f'<text x="{left}" y="{y}" font-size="{font}" font-weight="700" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="{max(1, font // 6)}" paint-order="stroke" '
            f'font-family="sans-serif">{escape(label)}</text></g>'
        )
    for f in texts:
        assert f.box is not None
        top, right, bottom, left = f.box
        parts.append(
            f'<g class="text-box" data-rule="{escape(f.rule)}"><title>{escape(f.rule)}</title>'
            f'<rect x="{left}" y="{top}" width="{max(1, right - left)}" height="{max(1, bottom - top)}" '
            f'fill="none" stroke="{TEXT_BOX_COLOUR}" stroke-dasharray="{stroke * 3} {stroke * 2}" '
            f'stroke-width="{stroke}"/></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
