"""Where a photo was taken: GPS coordinates in its metadata (EXIF or XMP).

Rules: ``image-location`` (any coordinates) and ``trust-premises-photo``
(coordinates inside a configured ``[[trust.sites]]`` entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from postcheck.model import Finding, InputFile
from postcheck.rules import Rule

IMAGE_LOCATION = Rule(
    "image-location",
    "image",
    "GPS coordinates in the image's metadata",
    what=(
        "finds GPS coordinates in a photo's metadata (EXIF on JPEG, TIFF, WebP, PNG and HEIC photos, and "
        "XMP) and says what a stranger learns from them: the place, to about how many metres (from the "
        "digits recorded and the phone's own recorded accuracy, GPSHPositioningError, when present)."
    ),
    why=(
        "anyone who saves a posted photo can read its coordinates and put a pin on a map: a pupil's home,"
        " a trip's location, the school itself. Haybrook 3.2.5 forbids posting personal details; Enquire "
        "3.11 forbids identifying the school's location on personal accounts."
    ),
    example=(
        "a phone photo of a birthday party with GPS 53.74571, -0.33672 (to within about 5 m) -> warn. "
        'Fix: strip the metadata ("Remove location" when sharing, or save a copy without it) and check '
        "again."
    ),
    personal="warn",
    official="warn",
    remedy="fix",
)

TRUST_PREMISES_PHOTO = Rule(
    "trust-premises-photo",
    "image",
    "GPS coordinates inside a configured Trust site",
    what=(
        "when a photo's GPS coordinates lie within `radius_m` of one of the `[[trust.sites]]` in "
        "postcheck.toml (great-circle distance), reports the site by name. Coordinates too coarse to rule"
        " the site out (their precision reaches into the radius) count as inside: postcheck fails closed."
    ),
    why=(
        "a photo taken on the premises and posted on a personal account tells strangers where the "
        "children in it go to school (Haybrook 2.1, 3.2.2; Enquire 3.11)."
    ),
    example=(
        "a photo with GPS 40 m from Oakfield Primary Academy's configured point, inside its 250 m radius "
        "-> block on a personal account."
    ),
    personal="block",
    official="off",
    by_hand="the photo shows Trust premises: choose another photo or get authorisation",
)
RULES = (
    IMAGE_LOCATION,
    TRUST_PREMISES_PHOTO,
)


def _meta(item: InputFile, ctx: Any) -> Any:
    from postcheck.vision.meta import read_metadata

    return ctx.memo("metadata", item.display, lambda: read_metadata(ctx.image(item)))


def location(item: InputFile, ctx: Any) -> Iterator[Finding]:
    """GPS coordinates in the photo's metadata, and whether they fall on Trust premises."""
    from postcheck.vision.meta import haversine_m, human_metres

    gps = _meta(item, ctx).gps
    if gps is None:
        return
    where = gps.text()
    within = human_metres(gps.precision_m)
    field = "EXIF GPS" if gps.source == "EXIF" else "XMP GPS"
    yield Finding(
        "image-location",
        f"The photo's metadata records where it was taken ({field} {where}, to within about {within}): "
        "anyone who saves it can find that place on a map. Remove the location data before posting.",
        item.display,
        evidence=where,
        fixable=True,
        source=field,
    )
    for site in ctx.config.sites:
        dist = haversine_m(gps.lat, gps.lon, site.lat, site.lon)
        slack = min(gps.precision_m, site.radius_m)
        if dist <= site.radius_m + slack:
            yield Finding(
                "trust-premises-photo",
                f"The photo's GPS places it at {site.name} ({human_metres(dist)} from the site, inside its "
                f"{human_metres(site.radius_m)} radius): posting it shows where these pupils go to school.",
                item.display,
                evidence=f"{where} ({site.name})",
                fixable=True,
                source=field,
            )
