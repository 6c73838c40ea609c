"""Text visible in a photo (name badges, certificates, whiteboards, signs),
read by OCR and checked by the text rules. Documented with ``image-text`` in
:mod:`postcheck.checks.image.metadata`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from postcheck.errors import Unavailable
from postcheck.model import Finding, InputFile

WHAT = "text in images"


def ocr_text(item: InputFile, ctx: Any) -> Iterator[Finding]:
    """Read the text in the photo (RapidOCR) and run every text rule on it; each
    finding's box is the text line it came from."""
    import dataclasses

    if not ctx.config.get("ocr.enabled"):
        # Fail closed: a photo's visible text was not read, so it cannot pass.
        raise Unavailable(WHAT, "disabled in config")
    from postcheck.vision.ocr_engine import DETECT_SIDE, read_text

    loaded = ctx.image(item)
    # faces found by the face check (it runs first): squarish "text" on them is not read
    faces = [fb.box for fb in ctx.facts.get(item.display, {}).get("face_boxes", ())]
    lines = ctx.memo("ocr", item.display, lambda: read_text(loaded.reduced, loaded.size, faces))
    ctx.method("ocr", f"RapidOCR (PP-OCR models, onnxruntime), text detection at {DETECT_SIDE} px")
    if not lines:
        return
    # One text, one line per OCR line, so names split over two lines of a badge are
    # still read together; each finding's span is mapped back to its line's box.
    text = "\n".join(ln.text for ln in lines)
    starts = []
    pos = 0
    for ln in lines:
        starts.append((pos, pos + len(ln.text), ln.box))
        pos += len(ln.text) + 1
    for f in ctx.run_text_rules(text, item, "OCR"):
        box = f.box
        if f.span is not None:
            hit = [b for s, e, b in starts if s < f.span[1] and f.span[0] < e]
            if hit:
                box = (
                    min(b[0] for b in hit),
                    max(b[1] for b in hit),
                    max(b[2] for b in hit),
                    min(b[3] for b in hit),
                )
        elif box is None:
            box = (
                min(b[0] for _, _, b in starts),
                max(b[1] for _, _, b in starts),
                max(b[2] for _, _, b in starts),
                min(b[3] for _, _, b in starts),
            )
        yield dataclasses.replace(f, box=box)
