"""Loading models ahead of the check that needs them.

A check loads what it needs when it first needs it, so a model that cannot be
loaded is always reported by its own check ("not checked"). The functions here
only start that loading earlier, where it overlaps other work: a failure is left
for the check to meet again and report.

* :func:`warm_models`: a batch worker loads the photo models once, before its
  first post.
* :func:`start_photo_models`: a post with photos starts loading the OCR engine
  (about 0.2-0.4 s, the longest load of a photo check) in a thread of its own
  while its photos' faces are found (runner._check_inputs).
* :func:`names_need_text`: whether a post of photos will need the text pipeline
  for its file names, so that it is built beside the photo checks.
"""

from __future__ import annotations

import threading
from typing import Any

from postcheck.checks import FACE_RULES, CheckContext


def warm_models(ctx: CheckContext) -> None:
    """Load the photo models the checks of ``ctx`` will use (face detector, OCR)."""
    try:
        if any(ctx.enabled(r) for r in FACE_RULES) and ctx.config.get("faces.detector") == "centerface":
            from postcheck.faces import centerface

            centerface.session()
        _ocr(ctx)
    except Exception:  # reported by the check itself, post by post
        return


def _wants_ocr(ctx: CheckContext) -> bool:
    return bool(ctx.enabled("image-text") and ctx.config.get("ocr.enabled"))


def _ocr(ctx: CheckContext) -> None:
    if _wants_ocr(ctx):
        from postcheck.vision import ocr_engine

        ocr_engine.engine()


def start_photo_models(ctx: CheckContext) -> None:
    """Start loading the OCR engine in a thread, unless it is loaded or off. The
    OCR check waits for it (the engine is built under a lock)."""
    from postcheck.vision import ocr_engine

    if ocr_engine.is_loaded() or not _wants_ocr(ctx):
        return

    def load() -> None:
        try:
            ocr_engine.engine()
        except Exception:  # the OCR check reports it
            return

    threading.Thread(target=load, name="postcheck-ocr-load", daemon=True).start()


def names_need_text(inputs: Any, ctx: CheckContext, text_rules: bool) -> bool:
    """Whether photos (``inputs``) will need the text pipeline, which is not built
    yet: a file name has words (``sports_day.jpg``; not ``IMG_1234.jpg``)."""
    from postcheck.vision.meta import filename_text

    index = ctx.text_index
    if index is None or index.warm_already() or not text_rules:
        return False
    return any(item.path is not None and filename_text(item.path.name) for item in inputs)
