"""A small generated sample of the ONS Postcode Directory (ONSPD), in its exact CSV format, for tests and the
API fuzzing run. The real file (about 2.7 million rows) is open data but is not shipped with OneDoor.

The header is ONSPD's own, column for column (the February 2024 release: `pcds`, `doterm`, `oslaua`, `lat`,
`long`, `lsoa11`, `lsoa21` ... with the codes ONSPD uses for "none", such as `E99999999`). The rows are made up
around each postcode district's real centre, with a fixed seed, plus named postcodes the tests rely on:
the three CGL offices in the directory, a Coventry postcode (another force's area), a terminated one, one
without a grid reference, and a CV23 postcode that is in West Northamptonshire (a postcode district can
straddle a boundary, so the district is decided by the full postcode).

    .venv/bin/python -m tests.directory.onspd_sample var/onspd-sample.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "npark",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua24",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]

WARWICKSHIRE = "E10000031"
PFA = "E23000017"
COVENTRY = "E08000026"
WEST_NORTHANTS = "E06000062"

# Postcode district -> (district GSS code, latitude, longitude) of its centre, roughly.
CENTRES: dict[str, tuple[str, float, float]] = {
    "CV9": ("E07000218", 52.578, -1.548),
    "B46": ("E07000218", 52.498, -1.707),
    "B78": ("E07000218", 52.603, -1.614),
    "CV10": ("E07000219", 52.520, -1.505),
    "CV11": ("E07000219", 52.523, -1.465),
    "CV12": ("E07000219", 52.479, -1.472),
    "CV21": ("E07000220", 52.372, -1.262),
    "CV22": ("E07000220", 52.356, -1.290),
    "CV23": ("E07000220", 52.370, -1.220),
    "CV37": ("E07000221", 52.192, -1.707),
    "CV36": ("E07000221", 52.062, -1.624),
    "B50": ("E07000221", 52.165, -1.855),
    "OX15": ("E07000221", 52.066, -1.498),
    "CV31": ("E07000222", 52.281, -1.530),
    "CV32": ("E07000222", 52.300, -1.530),
    "CV34": ("E07000222", 52.282, -1.585),
    "CV35": ("E07000222", 52.250, -1.620),
    "CV8": ("E07000222", 52.345, -1.575),
    "CV1": (COVENTRY, 52.408, -1.510),
}

# Postcodes the tests name: (postcode, district, latitude, longitude, terminated month or "").
NAMED: list[tuple[str, str, float, float, str]] = [
    ("CV31 2BB", "E07000222", 52.289500, -1.534700, ""),  # CGL, Court Street, Leamington Spa
    ("CV11 5BX", "E07000219", 52.523000, -1.470000, ""),  # CGL, Abbey Street, Nuneaton
    ("CV21 2SG", "E07000220", 52.371200, -1.265000, ""),  # CGL, Albert Street, Rugby
    ("CV34 4RL", "E07000222", 52.282000, -1.587000, ""),  # Warwick
    ("CV37 6HB", "E07000221", 52.193000, -1.708000, ""),  # Stratford-upon-Avon
    ("CV9 1AA", "E07000218", 52.578900, -1.548200, ""),  # Atherstone
    ("CV1 2GT", COVENTRY, 52.408200, -1.510600, ""),  # Coventry: West Midlands Police's area
    ("CV23 8XX", WEST_NORTHANTS, 52.333000, -1.170000, ""),  # CV23, but in West Northamptonshire
    ("CV32 9ZZ", "E07000222", 52.300100, -1.530100, "201206"),  # terminated in June 2012
    ("CV35 0ZZ", "E07000222", 99.999999, 0.000000, ""),  # no grid reference
]

PER_DISTRICT = 12
SEED = 18


def _row(postcode: str, district: str, lat: float, lon: float, doterm: str, n: int) -> dict[str, str | float]:
    outward, inward = postcode.split(" ")
    no_grid = lat >= 99
    row: dict[str, str | float] = dict.fromkeys(HEADER, "")
    row.update(
        {
            "pcd": f"{outward:<4}{inward}",
            "pcd2": f"{outward:<5}{inward}",
            "pcds": postcode,
            "dointr": "198001",
            "doterm": doterm,
            "oscty": WARWICKSHIRE if district.startswith("E07") else "E99999999",
            "ced": "E99999999",
            "oslaua": district,
            "osward": "E05012345",
            "parish": "E43000000",
            "usertype": "0",
            "oseast1m": "" if no_grid else str(430000 + n),
            "osnrth1m": "" if no_grid else str(265000 + n),
            "osgrdind": "9" if no_grid else "1",
            "oshlthau": "E18000010",
            "nhser": "E40000008",
            "ctry": "E92000001",
            "rgn": "E12000005",
            "streg": "0",
            "pcon": "E14000000",
            "eer": "E15000005",
            "teclec": "E24000000",
            "ttwa": "E30000000",
            "pct": "E16000000",
            "itl": "E06000000",
            "statsward": "99ZZ00",
            "oa01": "E00000000",
            "casward": "99ZZ00",
            "npark": "E65000001",
            "lsoa01": "E01000000",
            "msoa01": "E02000000",
            "ur01ind": "5",
            "oac01": "3B2",
            "oa11": "E00000000",
            "lsoa11": f"E0103{n % 10000:04d}",
            "msoa11": "E02000000",
            "wz11": "E33000000",
            "sicbl": "E38000000",
            "bua24": "E63000000",
            "ru11ind": "C1",
            "oac11": "2B1",
            "lat": lat,  # unquoted, as ONSPD writes its numbers
            "long": lon,
            "lep1": "E37000000",
            "lep2": "",
            "pfa": PFA if district.startswith("E07") else "E23000014",
            "imd": str(1000 + n),
            "calncv": "E56000000",
            "icb": "E54000000",
            "oa21": "E00000000",
            "lsoa21": f"E0106{n % 10000:04d}",
            "msoa21": "E02000000",
        }
    )
    return row


def sample_rows() -> list[dict[str, str | float]]:
    rng = random.Random(SEED)
    rows = [_row(*named, n) for n, named in enumerate(NAMED)]
    taken = {r["pcds"] for r in rows}
    n = len(rows)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for outward, (district, lat, lon) in CENTRES.items():
        made = 0
        while made < PER_DISTRICT:
            postcode = f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            if postcode in taken:
                continue
            taken.add(postcode)
            jitter_lat, jitter_lon = rng.uniform(-0.02, 0.02), rng.uniform(-0.03, 0.03)
            rows.append(_row(postcode, district, round(lat + jitter_lat, 6), round(lon + jitter_lon, 6), "", n))
            n += 1
            made += 1
    return rows


def write_sample(path: Path) -> int:
    rows = sample_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER, quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    print(write_sample(Path(sys.argv[1] if len(sys.argv) > 1 else "onspd-sample.csv")), "rows")
