"""Draw the fictional Oakfield Primary Academy crest (and a different school's
badge used as a negative in the evaluation) with Pillow.

    python eval/make_logo.py [--examples] # writes examples/oakfield/branding/crest.png
                                          # and tests/data/images/crest.png (and example photos)
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size=size)


def _centred(d: ImageDraw.ImageDraw, y: int, text: str, font, fill, width: int) -> None:
    w = d.textlength(text, font=font)
    d.text(((width - w) / 2, y), text, font=font, fill=fill)


def draw_crest(size: int = 600) -> Image.Image:
    """A shield quartered green and gold with an oak leaf, an acorn, a book and
    a star, a chevron, and the school's name on a ribbon."""
    s = size / 600
    W, H = int(500 * s), int(600 * s)
    im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    green, gold, navy, white = (22, 96, 52, 255), (236, 178, 32, 255), (20, 36, 90, 255), (255, 255, 255, 255)

    def P(x: float, y: float) -> tuple[float, float]:
        return (x * s, y * s)

    shield = [P(40, 40), P(460, 40), P(460, 300), P(250, 500), P(40, 300)]
    d.polygon(shield, fill=navy)
    inner = [P(60, 60), P(440, 60), P(440, 295), P(250, 470), P(60, 295)]
    d.polygon(inner, fill=gold)
    d.polygon([P(60, 60), P(250, 60), P(250, 250), P(60, 250)], fill=green)
    d.polygon([P(250, 250), P(440, 250), P(440, 295), P(250, 470)], fill=green)
    # chevron
    d.polygon([P(60, 300), P(250, 200), P(440, 300), P(440, 340), P(250, 240), P(60, 340)], fill=navy)
    # oak leaf (lobed): circles along a midrib
    for i, (x, y, r) in enumerate(
        [(120, 110, 26), (180, 110, 26), (110, 160, 22), (190, 160, 22), (150, 205, 20)]
    ):
        d.ellipse([P(x - r, y - r), P(x + r, y + r)], fill=gold if i % 2 else (250, 210, 80, 255))
    d.line([P(150, 80), P(150, 235)], fill=navy, width=max(1, int(6 * s)))
    # acorn
    d.ellipse([P(300, 95), P(390, 215)], fill=(140, 80, 30, 255))
    d.pieslice([P(290, 70), P(400, 150)], 180, 360, fill=green)
    for k in range(6):
        x = 298 + k * 17
        d.line([P(x, 95), P(x + 12, 135)], fill=navy, width=max(1, int(3 * s)))
    d.rectangle([P(340, 55), P(350, 75)], fill=green)
    # open book
    d.polygon([P(100, 330), P(160, 310), P(160, 400), P(100, 420)], fill=white)
    d.polygon([P(160, 310), P(220, 330), P(220, 420), P(160, 400)], fill=white)
    for k in range(4):
        d.line([P(110, 345 + k * 16), P(150, 332 + k * 16)], fill=navy, width=max(1, int(3 * s)))
        d.line([P(170, 332 + k * 16), P(210, 345 + k * 16)], fill=navy, width=max(1, int(3 * s)))
    # star
    cx, cy, ro, ri = 330, 360, 50, 20
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        r = ro if k % 2 == 0 else ri
        pts.append(P(cx + r * math.cos(a), cy + r * math.sin(a)))
    d.polygon(pts, fill=white, outline=navy)
    # ribbon with the name
    d.polygon([P(10, 500), P(490, 500), P(470, 530), P(490, 560), P(10, 560), P(30, 530)], fill=navy)
    _centred(d, int(508 * s), "OAKFIELD ACADEMY", _font(FONT, int(36 * s)), white, W)
    _centred(d, int(566 * s), "ENQUIRE LEARNING TRUST", _font(SERIF, int(26 * s)), navy, W)
    return im


def draw_other_logo(size: int = 600) -> Image.Image:
    """A different school's round badge: waves, a bridge, a sun; for negatives."""
    s = size / 600
    W = H = int(560 * s)
    im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    red, blue, white = (170, 30, 40, 255), (30, 90, 170, 255), (255, 255, 255, 255)
    d.ellipse([0, 0, W - 1, H - 1], fill=red)
    d.ellipse([40 * s, 40 * s, W - 40 * s, H - 40 * s], fill=white)
    d.pieslice([100 * s, 90 * s, 460 * s, 400 * s], 180, 360, fill=(250, 190, 40, 255))
    for k in range(4):
        y = (300 + k * 35) * s
        d.arc([80 * s, y - 40 * s, 280 * s, y + 40 * s], 0, 180, fill=blue, width=int(10 * s))
        d.arc([280 * s, y - 40 * s, 480 * s, y + 40 * s], 0, 180, fill=blue, width=int(10 * s))
    d.rectangle([120 * s, 230 * s, 440 * s, 250 * s], fill=red)
    for x in range(140, 441, 60):
        d.rectangle([x * s, 250 * s, (x + 14) * s, 300 * s], fill=red)
    _centred(d, int(440 * s), "RIVERSIDE", _font(FONT, int(44 * s)), red, W)
    return im


def main() -> None:
    crest = draw_crest()
    for out in (ROOT / "examples/oakfield/branding/crest.png", ROOT / "tests/data/images/crest.png"):
        out.parent.mkdir(parents=True, exist_ok=True)
        crest.save(out, optimize=True)
        print(f"wrote {out.relative_to(ROOT)}")
    other = draw_other_logo()
    out = ROOT / "tests/data/images/other-logo.png"
    other.save(out, optimize=True)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()


def make_examples() -> None:
    """Example photos for the Oakfield posts: generated scenes, no real people."""
    from PIL import ImageFilter

    from postcheck.vision.synth import Placement, composite, texture

    posts = ROOT / "examples/oakfield/posts"
    # Sports day: a banner with the crest, GPS on the school field (inside the site radius).
    scene = texture((1600, 1200), seed=11).filter(ImageFilter.GaussianBlur(2))
    d = ImageDraw.Draw(scene)
    d.rectangle([200, 250, 1400, 700], fill=(20, 36, 90))
    d.text((560, 620), "SPORTS DAY", font=_font(FONT, 60), fill=(255, 255, 255))
    scene, _ = composite(scene, draw_crest(), Placement(0.2, 4, 0.1, 0.5, 0.33, quality=88))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (53.0, 44.0, 45.12), 3: "W", 4: (0.0, 20.0, 13.44), 31: 4.5})
    scene.save(posts / "sports-day-shoutout.jpg", quality=85, exif=exif)
    # Star of the week: a certificate naming a pupil.
    cert = Image.new("RGB", (1400, 1000), (246, 240, 220))
    d = ImageDraw.Draw(cert)
    d.rectangle([30, 30, 1370, 970], outline=(22, 96, 52), width=12)
    for y, text, size in ((160, "Star of the Week", 90), (400, "awarded to", 50), (500, "Amelia Smith", 90)):
        w = d.textlength(text, font=_font(SERIF, size))
        d.text(((1400 - w) / 2, y), text, font=_font(SERIF, size), fill=(20, 36, 90))
    cert.rotate(4, fillcolor=(120, 110, 100), expand=True).save(posts / "star-of-the-week.jpg", quality=88)
    print("wrote examples/oakfield/posts/sports-day-shoutout.jpg, star-of-the-week.jpg")


if __name__ == "__main__" and "--examples" in __import__("sys").argv:
    make_examples()
