"""GPS positions in a photo's metadata, read correctly or not at all.

EXIF stores a latitude and a longitude as degrees, minutes and seconds (three
rationals) with an N/S or E/W reference; some writers store degrees and decimal
minutes, or decimal degrees alone, which are read as what they are, with the
precision their digits give. XMP stores "DDD,MM,SSk" or "DDD,MM.mmk". A value
that cannot be read correctly (a zero denominator, more than three values, no
hemisphere, a place off the globe, half a position) raises ``ValueError``: the
caller reports the block as unreadable instead of giving a wrong place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Metres per degree of latitude (mean); a degree of longitude is this times cos(lat).
M_PER_DEG = 111_320.0
# What a phone's GPS typically achieves when the file does not say.
TYPICAL_GPS_ERROR_M = 5.0


@dataclass(frozen=True)
class GPS:
    lat: float
    lon: float
    resolution_m: float  # what the recorded digits can express
    error_m: float | None  # GPSHPositioningError, when recorded
    source: str  # "EXIF" or "XMP"

    @property
    def precision_m(self) -> float:
        """How closely a stranger can place the photo, in metres."""
        err = self.error_m if self.error_m is not None else TYPICAL_GPS_ERROR_M
        return max(self.resolution_m, err, 1.0)

    @property
    def decimals(self) -> int:
        """Decimal places worth showing for these coordinates."""
        deg = max(self.resolution_m, 1.0) / M_PER_DEG
        return max(0, min(6, math.ceil(-math.log10(deg))))

    def text(self) -> str:
        return f"{self.lat:.{self.decimals}f}, {self.lon:.{self.decimals}f}"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def human_metres(m: float) -> str:
    if m < 20:
        return f"{max(1, round(m))} m"
    if m < 1000:
        return f"{round(m, -1):.0f} m"
    return f"{m / 1000:.1f} km"


def rational(v: Any) -> tuple[Fraction, int]:
    """An EXIF rational (Pillow's IFDRational, a (num, den) pair, or a number) and
    the denominator as written, which says how finely the value was recorded.
    Raises ValueError for a zero denominator: the value is unknown, not zero."""
    if isinstance(v, tuple) and len(v) == 2:
        num, den = v
    else:
        num = getattr(v, "_numerator", getattr(v, "numerator", None))
        den = getattr(v, "_denominator", getattr(v, "denominator", None))
    if num is not None and den is not None:
        if int(den) == 0:
            raise ValueError(f"{num}/0 has a zero denominator")
        return Fraction(int(num), int(den)), abs(int(den))
    number = float(v)
    if not math.isfinite(number):
        raise ValueError(f"{v} is not a number")
    f = Fraction(number).limit_denominator(10**7)
    return f, f.denominator


_UNITS = (Fraction(1), Fraction(1, 60), Fraction(1, 3600))  # degrees, minutes, seconds


def dms(parts: Any) -> tuple[float, float]:
    """(degrees, resolution in degrees) from EXIF GPS values: degrees, minutes and
    seconds as the standard says, or degrees and minutes, or degrees alone, as some
    writers store them. Raises ValueError when they cannot be read correctly."""
    values = list(parts) if isinstance(parts, list | tuple) else [parts]
    if not 1 <= len(values) <= 3:
        raise ValueError(f"{len(values)} values instead of 3")
    read = [rational(p) for p in values]
    value = float(sum(f * unit for (f, _), unit in zip(read, _UNITS, strict=False)))
    # the resolution is the finest step written: the last value's unit over its denominator
    for (f, den), unit in reversed(list(zip(read, _UNITS, strict=False))):
        if den > 1:
            return value, float(unit / den)
        if f:
            return value, float(unit)
    # "53/1 0/1 0/1": trust the writer to the finest unit written (whole seconds)
    return value, float(_UNITS[len(read) - 1])


GPS_REFS = {1: ("latitude", ("N", "S")), 3: ("longitude", ("E", "W"))}


def exif_position(gps: Any) -> GPS | None:
    if 2 not in gps or 4 not in gps:
        raise ValueError("it has a latitude without a longitude, or a longitude without a latitude")
    position = []
    for tag, ref_tag in ((2, 1), (4, 3)):
        name, refs = GPS_REFS[ref_tag]
        try:
            value, res = dms(gps[tag])
        except ValueError as exc:
            raise ValueError(f"the {name} cannot be read: {exc}") from exc
        ref = str(gps.get(ref_tag, "")).strip("\x00 ").upper()[:1]
        if ref not in refs and value != 0:
            raise ValueError(f"the {name} has no {'/'.join(refs)} reference, so its hemisphere is unknown")
        position.append((-value if ref == refs[1] else value, res))
    (lat, lat_res), (lon, lon_res) = position
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{lat:.5f}, {lon:.5f} is not a place on Earth")
    if lat == 0 and lon == 0:
        return None  # "null island": a placeholder some apps write, not a place
    err = None
    if 31 in gps:
        try:
            err = float(rational(gps[31])[0])
        except (TypeError, ValueError, ZeroDivisionError):
            err = None  # without it, a phone's usual accuracy is assumed
    res_m = max(lat_res * M_PER_DEG, lon_res * M_PER_DEG * math.cos(math.radians(lat)))
    return GPS(lat, lon, res_m, err, "EXIF")


def xmp_coord(text: str) -> tuple[float, float]:
    """XMP GPSCoordinate "DDD,MM,SSk" or "DDD,MM.mmk" (k = N/S/E/W): degrees, resolution.
    Raises ValueError when it cannot be read correctly."""
    s = text.strip()
    if not s:
        raise ValueError("it is empty")
    ref = s[-1].upper() if s[-1].isalpha() else ""
    if ref and ref not in "NSEW":
        raise ValueError(f"{s!r} has an unknown reference {ref!r}")
    body = s[:-1] if ref else s
    parts = [p.strip() for p in body.split(",")]
    if len(parts) > 3:
        raise ValueError(f"{s!r} has {len(parts)} values")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{s!r} is not a coordinate") from None
    if not all(math.isfinite(n) for n in nums):
        raise ValueError(f"{s!r} is not a coordinate")
    decimals = len(parts[-1].split(".")[1]) if "." in parts[-1] else 0
    unit = (1.0, 1 / 60, 1 / 3600)[min(len(nums), 3) - 1]
    value = sum(n * (1.0, 1 / 60, 1 / 3600)[i] for i, n in enumerate(nums[:3]))
    res = unit * 10.0**-decimals
    if ref in ("S", "W") or value < 0:
        value = -abs(value)
    return value, res


def xmp_position(lat_text: str | None, lon_text: str | None, hpe: str | None) -> GPS | None:
    """The position in XMP's exif:GPSLatitude and exif:GPSLongitude (None for the
    0, 0 placeholder). Raises ValueError when it cannot be read correctly."""
    if lat_text is None or lon_text is None:
        raise ValueError("it has a latitude without a longitude, or a longitude without a latitude")
    lat = xmp_coord(lat_text)
    lon = xmp_coord(lon_text)
    if not (-90 <= lat[0] <= 90 and -180 <= lon[0] <= 180):
        raise ValueError(f"{lat[0]:.5f}, {lon[0]:.5f} is not a place on Earth")
    if lat[0] == 0 and lon[0] == 0:
        return None
    err = None
    if hpe:
        try:
            err = float(Fraction(hpe.strip()))
        except (ValueError, ZeroDivisionError):
            err = None
    res_m = max(lat[1] * M_PER_DEG, lon[1] * M_PER_DEG * math.cos(math.radians(lat[0])))
    return GPS(lat[0], lon[0], res_m, err, "XMP")
