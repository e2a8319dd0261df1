"""Synthetic police transfer files (format v1) for tests, demos and benchmarks.

Rows are for an area: by default the loaded one (ONEDOOR_AREA), its first force code, its districts
(weighted as onedoor/areas/demo_data.py says) and their postcode districts. Proportions follow the seed
needs assessment's police data for 2020-21 (REFERENCE.md): offences 51% violent,
15% theft, 4% sexual; 77% consent to share; 51% female, 47% male; 10% under 16,
17% aged 16-24, 7% 65 and over; ethnicity 39% not recorded, 55% White. Everything else (victims per
crime, flags, contact details, languages) is a stated assumption below, not a measured figure.

Contact details are safe to send to: phone numbers come only from Ofcom's drama range 07700 900100 to
900999 (each used once per file, so a large file has phones for its first 900 people only) and email
addresses only from the reserved example.org / example.com domains.

`bad_percent` of the rows carry one realistic fault each; `generate` returns their line numbers.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

from faker import Faker

from onedoor.areas.current import area_data
from onedoor.areas.demo_data import district_weights
from onedoor.police.parser import COLUMNS

# The loaded area's (first) force code: what a default file's rows carry.
FORCE_CODE: str = area_data()["force_codes"][0]

OFFENCES = {  # percent of all crimes
    "violence-with-injury": 20.0,
    "violence-without-injury": 18.0,
    "stalking-harassment": 12.8,
    "homicide": 0.2,
    "rape": 1.5,
    "other-sexual-offences": 2.5,
    "burglary-residential": 3.0,
    "burglary-business-community": 1.0,
    "vehicle-offences": 3.5,
    "theft-from-person": 0.5,
    "bicycle-theft": 1.0,
    "shoplifting": 3.0,
    "other-theft": 3.0,
    "criminal-damage-arson": 11.0,
    "public-order": 8.0,
    "robbery-personal": 1.2,
    "robbery-business": 0.3,
    "possession-weapons": 1.5,
    "drug-offences": 2.0,
    "misc-crimes-against-society": 1.5,
    "fraud": 3.0,
    "computer-misuse": 0.5,
    "anti-social-behaviour": 1.0,
}
VIOLENT = {"violence-with-injury", "violence-without-injury", "stalking-harassment", "homicide"}
ETHNICITY = {
    "": 39.0,
    "white-english-welsh-scottish-northern-irish-or-british": 49.0,
    "white-any-other-white-background": 5.0,
    "white-irish": 1.0,
    "asian-or-asian-british-indian": 2.5,
    "asian-or-asian-british-pakistani": 1.0,
    "black-african": 1.0,
    "mixed-or-multiple-ethnic-groups-white-and-black-caribbean": 1.0,
    "asian-or-asian-british-chinese": 0.5,
}
LANGUAGES = {"": 80.0, "en": 10.0, "pl": 3.0, "pa": 2.0, "gu": 2.0, "ur": 1.0, "ro": 1.0, "pt": 1.0}
LOCALES = {"pl": "pl_PL", "ro": "ro_RO", "pt": "pt_PT"}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Person:
    first_name: str
    last_name: str
    dob: date | None
    sex: str
    ethnicity: str
    district: str
    postcode: str
    phone: str
    email: str
    language: str


class _Maker:
    def __init__(self, seed: int, anchor: datetime, area: dict[str, Any]) -> None:
        self.force_code = area["force_codes"][0]
        self.districts = district_weights(area)
        self.outward = {d["gss_code"]: d.get("postcode_districts", []) for d in area["districts"]}
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.fakers = {"": Faker("en_GB"), **{k: Faker(v) for k, v in LOCALES.items()}}
        for i, fk in enumerate(self.fakers.values()):
            fk.seed_instance(seed * 31 + i)
        self.anchor = anchor
        self.phones = [f"07700 900{n:03d}" for n in range(100, 1000)]
        self.rng.shuffle(self.phones)
        self.people: list[Person] = []
        self.officers = [
            re.sub(r"[^a-z.]", "", f"{self.fakers[''].first_name()}.{self.fakers[''].last_name()}".lower())
            + f".{n}@{area['area']}.police.example"
            for n in range(150)
        ]
        self.crime_no = 0

    def person(self) -> Person:
        rng = self.rng
        if self.people and rng.random() < 0.04:  # repeat victimisation
            return rng.choice(self.people)
        language = _pick(rng, LANGUAGES)
        fk = self.fakers.get(language, self.fakers[""])
        sex = rng.choices(["female", "male", ""], weights=[51, 47, 2])[0]
        first = fk.first_name_female() if sex == "female" else fk.first_name_male()
        last = fk.last_name()
        band = rng.choices(["u16", "16-24", "25-64", "65+"], weights=[10, 17, 66, 7])[0]
        lo, hi = {"u16": (4, 15), "16-24": (16, 24), "25-64": (25, 64), "65+": (65, 92)}[band]
        age_days = rng.randint(lo * 365 + 1, hi * 365 + 364)
        dob = None if rng.random() < 0.05 else (self.anchor.date() - timedelta(days=age_days))
        district = rng.choices(list(self.districts), weights=list(self.districts.values()))[0]
        outward = rng.choice(self.outward[district] or [""])
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = f"{outward} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}" if outward else ""
        phone = self.phones.pop() if self.phones and rng.random() < 0.75 else ""
        email = ""
        if rng.random() < 0.5:
            domain = rng.choice(["example.org", "example.com"])
            email = f"{first.lower()}.{last.lower()}.{len(self.people)}@{domain}".replace(" ", "").replace("'", "")
            email = email.encode("ascii", "ignore").decode()
        p = Person(
            first_name=first,
            last_name=last,
            dob=dob,
            sex=sex,
            ethnicity=_pick(rng, ETHNICITY),
            district=district if rng.random() < 0.9 else "",
            postcode=postcode if rng.random() < 0.9 else "",
            phone=phone,
            email=email,
            language=language,
        )
        self.people.append(p)
        return p

    def crime(self) -> list[dict[str, str]]:
        rng = self.rng
        self.crime_no += 1
        offence = _pick(rng, OFFENCES)
        flags = []
        if offence in VIOLENT and rng.random() < 0.30:
            flags.append("domestic-abuse")
        if offence in (VIOLENT | {"public-order", "criminal-damage-arson"}) and rng.random() < 0.03:
            flags.append("hate")
        if rng.random() < 0.05:
            flags.append("vulnerable")
        if rng.random() < 0.01:
            flags.append("cj-substance-use")
        recorded = self.anchor - timedelta(minutes=rng.randint(60, 60 * 24 * 28))
        reference = f"23/{self.crime_no:07d}/{recorded:%y}"
        officer = rng.choice(self.officers)
        victims = rng.choices([1, 2, 3], weights=[90, 8, 2])[0]
        rows = []
        for n in range(1, victims + 1):
            p = self.person()
            row_flags = list(flags)
            age = (self.anchor.date() - p.dob).days // 365 if p.dob else None
            if age is not None and age < 18 and rng.random() < 0.02:
                row_flags.append(rng.choice(["child-criminal-exploitation", "child-sexual-exploitation"]))
            description = ""
            if rng.random() < 0.2:
                description = rng.choice(
                    [
                        "Entered via rear door, items taken",
                        "Assault outside licensed premises, minor injuries",
                        "Ongoing messages, victim distressed",
                        "Vehicle window smashed, bag taken",
                        'Caller said "he won\'t stop", officer attended',
                        "Damage to front door,\nneighbour witnessed",
                    ]
                )
            has_phone, has_email = bool(p.phone), bool(p.email)
            rows.append(
                {
                    "force_code": self.force_code,
                    "crime_reference": reference,
                    "victim_reference": f"V{n}",
                    "recorded_at": recorded.strftime("%Y-%m-%dT%H:%M:%S"),
                    "offence_group": offence,
                    "offence_description": description,
                    "flags": ";".join(row_flags),
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "date_of_birth": p.dob.isoformat() if p.dob else "",
                    "sex": p.sex,
                    "ethnicity": p.ethnicity,
                    "postcode": p.postcode,
                    "district": p.district,
                    "phone": p.phone,
                    "email": p.email,
                    "preferred_language": p.language,
                    "consent_to_share": "Y" if rng.random() < 0.77 else "N",
                    "contact_permitted": rng.choices(["Y", "N", ""], weights=[85, 5, 10])[0],
                    "safe_to_text": rng.choices(["Y", "N", ""], weights=[80, 10, 10])[0] if has_phone else "",
                    "safe_to_email": rng.choices(["Y", "N", ""], weights=[70, 15, 15])[0] if has_email else "",
                    "officer_email": officer,
                    # Not stated: a synthetic night marks nobody at risk to life, and draws nothing for it, so
                    # a seed makes the same people as before the column existed.
                    "risk_to_life": "",
                }
            )
        return rows


FAULTS = ("wrong_date", "unknown_slug", "missing_reference", "duplicate", "stray_quote", "formula", "encoding")


def _encode(row: dict[str, str], columns: list[str], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([row[c] for c in columns])
    return buf.getvalue().encode(encoding, errors="replace")


def generate(
    out: IO[bytes],
    *,
    rows: int,
    seed: int = 1,
    bad_percent: float = 0.0,
    anchor: datetime | None = None,
    columns: list[str] | None = None,
    area: dict[str, Any] | None = None,
) -> list[int]:
    """Write `rows` data rows to `out` for `area` (a validated area file's data; by default the loaded
    area); return the line numbers of the rows given a fault."""
    moment = anchor or datetime.now(tz=UTC).replace(minute=0, second=0, microsecond=0)
    maker = _Maker(seed, moment, area or area_data())
    order = columns or list(COLUMNS)
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(order)
    out.write(header.getvalue().encode())
    line = 2
    written = 0
    bad_lines: list[int] = []
    pending: list[dict[str, str]] = []
    good: list[dict[str, str]] = []
    fault_rng = random.Random(seed + 7)  # noqa: S311 - synthetic data
    while written < rows:
        if not pending:
            pending = maker.crime()
        row = pending.pop(0)
        fault = fault_rng.choice(FAULTS) if fault_rng.random() * 100 < bad_percent else None
        if fault == "duplicate" and not good:
            fault = "wrong_date"
        data: bytes
        if fault is None:
            data = _encode(row, order)
            good.append(row)
            if len(good) > 200:
                good.pop(0)
        elif fault == "wrong_date":
            row = {**row, "recorded_at": fault_rng.choice(["2021-02-30T10:00:00", "14/03/2021 10:00", "yesterday"])}
            data = _encode(row, order)
        elif fault == "unknown_slug":
            row = {**row, "offence_group": "burglary-dwelling"} if fault_rng.random() < 0.5 else {**row, "flags": "dv"}
            data = _encode(row, order)
        elif fault == "missing_reference":
            column = fault_rng.choice(["crime_reference", "victim_reference"])
            row = {**row, column: ""}
            data = _encode(row, order)
        elif fault == "duplicate":
            data = _encode(fault_rng.choice(good), order)
        elif fault == "stray_quote":
            row = {**row, "last_name": "O\x00QBrien"}
            data = _encode(row, order).replace(b"O\x00QBrien", b'O"Brien')
        elif fault == "formula":
            row = {**row, "first_name": '=HYPERLINK("http://example.com/x","Click me")'}
            data = _encode(row, order)
        else:  # encoding: one row saved as Windows-1252 inside a UTF-8 file
            row = {**row, "first_name": "Zoë", "last_name": row["last_name"].encode("ascii", "ignore").decode()}
            data = _encode(row, order, "cp1252")
        if fault:
            bad_lines.append(line)
        out.write(data)
        line += data.count(b"\n")
        written += 1
    return bad_lines
