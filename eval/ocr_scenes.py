"""12 MP photos with a name on a badge, a certificate, a banner or a whiteboard,
at a given letter height, for eval/eval_images.py's OCR evaluation.

Letter height is the height of a capital letter in the full 4032x3024 photo
(DejaVu fonts: 0.73 of the font size). The object is drawn on a phone-sized
background (one of the shared test photos when given, else a synthetic texture),
turned up to 10 degrees, lit unevenly, saved as JPEG (quality 80-92); every
fourth photo is stored sideways with EXIF orientation 6, as phones do. The name's
true box is returned in the pixels of the photo as a viewer sees it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H = 4032, 3024
FONTS = Path("/usr/share/fonts/truetype/dejavu")
CAP = 0.73  # cap height / font size for the DejaVu fonts
KINDS = ("badge", "certificate", "banner", "whiteboard")
FIRST = ["Amelia", "Oliver", "Zoe", "Harry", "Leo", "Mia", "Jo", "Millie"]
LAST = ["Smith", "Brown", "Okafor", "Patel-Jones", "Carter", "Ng"]


@dataclass(frozen=True)
class Scene:
    path: Path
    kind: str
    letter_px: int
    name: str
    box: tuple[int, int, int, int]  # the name's box (top, right, bottom, left), as seen
    rotated: bool


def _font(rng: random.Random, letter_px: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    size = max(6, round(letter_px / CAP))
    names = ["DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf"] if bold else []
    names += ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf", "DejaVuSans-Oblique.ttf"]
    path = FONTS / rng.choice(names)
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _layout(kind: str, name: str, px: int, rng: random.Random) -> tuple[list, tuple, tuple]:
    """Lines (text, letter px, colour, bold) of one object, its paper colour and the line naming the pupil."""
    first = name.split()[0]
    ink = (rng.randint(0, 60), rng.randint(0, 60), rng.randint(40, 110))
    if kind == "badge":
        return (
            [("HELLO my name is", px * 0.45, (255, 255, 255), True), (first, px, ink, True)],
            (250, 250, 248),
            1,
        )
    if kind == "certificate":
        lines = [
            ("Certificate of Achievement", px * 1.2, ink, True),
            (f"awarded to {name}", px, ink, False),
            ("for outstanding effort", px * 0.7, ink, False),
        ]
        return lines, (238, 230, 205), 1
    if kind == "banner":
        colour = rng.choice([(20, 70, 160), (170, 30, 40), (20, 120, 60)])
        return [(f"Well done {name}!", px, (255, 255, 255), True)], colour, 0
    marker = rng.choice([(20, 20, 20), (20, 40, 150), (160, 20, 20)])
    return [("Today's helpers:", px * 0.8, marker, False), (name, px, marker, False)], (245, 247, 245), 1


def _object(kind: str, name: str, px: int, rng: random.Random) -> tuple[Image.Image, tuple]:
    """The object as an RGBA image, and the name line's box in it (left, top, right, bottom)."""
    lines, paper, named = _layout(kind, name, px, rng)
    fonts = [_font(rng, lp, bold) for _t, lp, _c, bold in lines]
    boxes = [f.getbbox(t) for (t, *_), f in zip(lines, fonts, strict=True)]
    widths = [b[2] - b[0] for b in boxes]
    heights = [max(1, b[3] - b[1]) for b in boxes]
    margin = round(max(heights) * 0.8)
    gap = round(max(heights) * 0.6)
    ow = max(widths) + 2 * margin
    oh = sum(heights) + gap * (len(lines) - 1) + 2 * margin
    obj = Image.new("RGBA", (ow, oh), (*paper, 255))
    d = ImageDraw.Draw(obj)
    if kind == "badge":  # the red band behind "HELLO my name is"
        d.rectangle([0, 0, ow, margin + heights[0] + gap // 2], fill=(200, 30, 40, 255))
    if kind == "whiteboard":
        d.rectangle([0, 0, ow - 1, oh - 1], outline=(150, 150, 150, 255), width=max(4, margin // 6))
    y = margin
    name_box = (0, 0, 0, 0)
    for i, ((text, _lp, colour, _b), f, b) in enumerate(zip(lines, fonts, boxes, strict=True)):
        x = (ow - widths[i]) // 2
        d.text((x - b[0], y - b[1]), text, font=f, fill=(*colour, 255))
        if i == named:
            name_box = (x, y, x + widths[i], y + heights[i])
        y += heights[i] + gap
    return obj, name_box


def _background(photos: list[Path], rng: random.Random) -> Image.Image:
    if photos:
        im = Image.open(rng.choice(photos)).convert("RGB")
        f = max(W / im.width, H / im.height)
        im = im.resize((math.ceil(im.width * f), math.ceil(im.height * f)), Image.BILINEAR)
        return im.crop((0, 0, W, H))
    from postcheck.vision.synth import texture

    return texture((W, H), seed=rng.randrange(1 << 20))


def scene(out: Path, kind: str, letter_px: int, index: int, photos: list[Path], rng: random.Random) -> Scene:
    """Draw one photo into ``out`` and say where its name is."""
    first = FIRST[index % len(FIRST)]
    name = first if kind == "badge" else f"{first} {LAST[index % len(LAST)]}"
    obj, (nl, nt, nr, nb) = _object(kind, name, letter_px, rng)
    if obj.width > W * 0.95:  # too long for the photo at this height: the first name only
        name = first
        obj, (nl, nt, nr, nb) = _object(kind, name, letter_px, rng)
    angle = rng.uniform(-10, 10)
    turned = obj.rotate(angle, resample=Image.BICUBIC, expand=True)
    # where the name's corners went
    cx, cy = obj.width / 2, obj.height / 2
    a = math.radians(-angle)
    corners = []
    for x, y in ((nl, nt), (nr, nt), (nr, nb), (nl, nb)):
        dx, dy = x - cx, y - cy
        corners.append(
            (
                dx * math.cos(a) - dy * math.sin(a) + turned.width / 2,
                dx * math.sin(a) + dy * math.cos(a) + turned.height / 2,
            )
        )
    photo = _background(photos, rng)
    ox = rng.randint(0, max(0, W - turned.width))
    oy = rng.randint(0, max(0, H - turned.height))
    photo.paste(turned, (ox, oy), turned)
    gain = rng.uniform(0.7, 1.1)
    photo = photo.point(lambda v: min(255, int(v * gain)))
    xs = [ox + x for x, _ in corners]
    ys = [oy + y for _, y in corners]
    box = (round(min(ys)), round(max(xs)), round(max(ys)), round(min(xs)))
    rotated = index % 4 == 3
    path = out / f"{kind}-{letter_px}-{index}.jpg"
    quality = rng.randint(80, 92)
    if rotated:
        exif = Image.Exif()
        exif[0x0112] = 6  # stored turned 90 degrees anticlockwise; a viewer turns it back
        photo.transpose(Image.Transpose.ROTATE_90).save(path, quality=quality, exif=exif)
    else:
        photo.save(path, quality=quality)
    return Scene(path, kind, letter_px, name, box, rotated)
