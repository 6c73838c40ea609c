"""Reading an HTML draft: its text (tags removed, alt and title text kept) and
the pictures it shows, as image inputs of the post.

Pictures: ``<img src srcset>``, ``<picture><source srcset>``, ``<input
type=image>`` and a video's ``poster``. A ``data:`` picture is decoded; a local
file is read relative to the draft's folder. postcheck never fetches anything,
so a picture on the internet (``http:``, ``https:``, ``//host/...``) is reported
as not checked and blocks the post, as does a missing local picture and any
video, audio, frame or embedded object (postcheck cannot see what they show).
"""

from __future__ import annotations

import base64
import binascii
import html.parser
import re
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from postcheck.errors import UnreadableInput
from postcheck.inputs import DraftParts, TextDoc
from postcheck.limits import DRAFT_MAX_BYTES, too_large
from postcheck.model import InputFile
from postcheck.reading import file_kind, not_regular

# Elements whose content postcheck cannot see: each blocks the post.
_MEDIA = {"video": "video", "audio": "sound", "iframe": "embedded page", "embed": "embedded object"}
_MEDIA["object"] = "embedded object"


class _Page(html.parser.HTMLParser):
    BLOCK: ClassVar[set[str]] = {
        *("p", "div", "br", "li", "tr", "section", "article"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pictures: list[str] = []  # src values, in page order
        self.media: list[tuple[str, str]] = []  # (what, address) that cannot be checked
        self._skip = 0
        self._picture = 0
        self._video = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        for name, value in attrs:
            if name in ("alt", "title") and value:
                self.parts.append(f"\n{value}\n")
        self._embedded(tag, {k: v or "" for k, v in attrs})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("picture", "video", "audio"):
            self.handle_endtag(tag)

    def _embedded(self, tag: str, a: dict[str, str]) -> None:
        if tag == "picture":
            self._picture += 1
        elif tag in ("video", "audio"):
            self._video += 1
        if tag == "img" or (tag == "input" and a.get("type", "").lower() == "image"):
            self._add(a.get("src", ""), a.get("srcset", ""))
        elif tag == "source" and self._picture and not self._video:
            self._add(a.get("src", ""), a.get("srcset", ""))
        elif tag in _MEDIA:  # a <source> inside a video belongs to the video, reported here
            self.media.append((_MEDIA[tag], a.get("src") or a.get("data") or ""))
            if tag == "video" and a.get("poster"):
                self._add(a["poster"], "")

    def _add(self, src: str, srcset: str) -> None:
        for url in (src, *srcset_urls(srcset)):
            url = url.strip()
            if url and url not in self.pictures:
                self.pictures.append(url)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "picture" and self._picture:
            self._picture -= 1
        if tag in ("video", "audio") and self._video:
            self._video -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def srcset_urls(srcset: str) -> list[str]:
    """The addresses in a ``srcset`` ("a.jpg 1x, b.jpg 2x"); an address runs to the
    next white space, so a ``data:`` address keeps its comma."""
    urls = []
    pos = 0
    while pos < len(srcset):
        m = re.compile(r"[\s,]*(\S+)").match(srcset, pos)
        if m is None or not m.group(1):
            break
        url = m.group(1)
        pos = m.end()
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptor, up to the next comma
            comma = srcset.find(",", pos)
            pos = len(srcset) if comma < 0 else comma + 1
        if url:
            urls.append(url)
    return urls


def _parse(markup: str) -> _Page:
    page = _Page()
    page.feed(markup)
    page.close()
    return page


def html_text(markup: str) -> str:
    """The text of an HTML page: tags removed, alt and title text kept."""
    return _text(_parse(markup))


def _text(page: _Page) -> str:
    text = "".join(page.parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def read_html(markup: str, item: InputFile, note: str | None = None) -> DraftParts:
    """The page's text, its pictures as image inputs, and what could not be checked."""
    page = _parse(markup)
    text = _text(page)
    if not text.strip() and not page.pictures:
        raise UnreadableInput("the page has no text: there is nothing to check")
    images: list[InputFile] = []
    problems = [
        (
            f"{item.display} ({what} {address})".replace(" )", ")"),
            f"a {what} in the page: postcheck cannot see what it shows, so it could not check it",
        )
        for what, address in page.media
    ]
    for n, src in enumerate(page.pictures, 1):
        label = f"picture {n}: data: address" if src[:5].lower() == "data:" else f"picture {src}"
        display = f"{item.display} ({label})"
        try:
            images.append(_picture(src, display, item))
        except UnreadableInput as exc:
            problems.append((display, exc.reason))
    return DraftParts(TextDoc(text, item.display, None, note), tuple(images), tuple(problems))


def _picture(src: str, display: str, item: InputFile) -> InputFile:
    """One picture of the page as an image input, or :class:`UnreadableInput`."""
    parts = urlsplit(src)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return InputFile(display, "image", None, data_url_bytes(src))
    if scheme in ("http", "https", "ftp") or src.startswith("//"):
        raise UnreadableInput(
            "a picture on the internet: postcheck never fetches anything, so it could not check it "
            "(save the picture and check it with the draft)"
        )
    if scheme == "file":
        path = Path(url2pathname(parts.path))
    elif len(scheme) == 1:  # a Windows drive letter: C:\photos\trip.jpg
        path = Path(src)
    elif scheme:
        raise UnreadableInput(f"a {scheme}: address, which postcheck cannot read")
    else:
        path = Path(unquote(parts.path))
    if not path.is_absolute():
        if item.path is None:
            raise UnreadableInput(
                "a picture beside a page read from standard input: postcheck cannot find it"
            )
        path = item.path.parent / path
    return InputFile(display, "image", _local(path))


def _local(path: Path) -> Path:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UnreadableInput(f"the picture cannot be read ({exc.strerror or exc})") from exc
    kind = file_kind(mode)
    if kind is not None:
        raise UnreadableInput(not_regular(kind))
    return path


def data_url_bytes(url: str) -> bytes:
    """The bytes of a ``data:`` address (base64 or percent-encoded)."""
    header, sep, payload = url.partition(",")
    if not sep:
        raise UnreadableInput("a data: address without data")
    if len(payload) > DRAFT_MAX_BYTES * 2:
        raise UnreadableInput(too_large("the picture is", DRAFT_MAX_BYTES))
    if header.lower().endswith(";base64"):
        try:
            return base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UnreadableInput("a data: picture that is not valid base64") from exc
    return unquote_to_bytes(payload)
