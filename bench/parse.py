"""Per-row CPU of the police file's parse and check: `python bench/parse.py` (DJANGO_SETTINGS_MODULE is set
to onedoor.settings if unset). No database: the vocabulary is built from the reference JSON, as the
migrations would load it.

Generates two files (50,000 rows, seed 1; no faulty rows, and 5% faulty rows) and a third like the first
but with a different phone number on every row (the generator gives phones to its first 900 people only,
while a real file has one for most victims; these numbers exist only in memory and are never sent), then
times each stage with
`time.process_time` and prints microseconds per row: `read_rows`, `validate_row` (which includes the row
hash), and the person, phone and email keys. It also prints a digest of every output
(errors, normalised values, row hashes, keys) so two versions of the code can be shown to agree.

The rows stream through in chunks of 4,000, as in the import, so that only one chunk is alive at a time:
holding all 50,000 rows and results would add several µs a row of garbage-collector time that the import
does not pay.

Options: --rows N, --repeat N (best of N passes, stage by stage), --chunk N, --profile (cProfile of
validate_row).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import time
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# A fixed moment, so the files (and so the digests) are the same on every run.
ANCHOR = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)
TODAY = date(2026, 1, 12)


def vocabulary() -> Any:
    from onedoor.police.generator import FORCE_CODE
    from onedoor.police.parser import Vocabulary

    return Vocabulary.from_reference_data(frozenset([FORCE_CODE]))


def one_pass(data: bytes, encoding: str, vocab: Any, chunk: int, digest: Any) -> dict[str, float | int]:
    """Stream the file as the import does, `chunk` rows at a time (so only one chunk's rows and results are
    alive at once, which matters to the garbage collector), timing each stage with process_time."""
    from onedoor.messaging.services import keyed_hash
    from onedoor.police.parser import ParsedRow, read_rows, validate_row
    from onedoor.police.services import person_key

    spent: dict[str, float | int] = dict.fromkeys(("read", "validate", "person", "phone", "email"), 0.0)
    spent["rows"] = spent["good"] = 0
    clock = time.process_time
    rows = read_rows(io.BytesIO(data), encoding)
    while True:
        started = clock()
        raw_rows = list(islice(rows, chunk))
        spent["read"] += clock() - started
        if not raw_rows:
            return spent
        started = clock()
        results = [validate_row(ln, raw, ok, vocab, TODAY) for ln, raw, ok in raw_rows]
        spent["validate"] += clock() - started
        values = [r.values for r in results if isinstance(r, ParsedRow)]
        started = clock()
        people = [person_key(v["first_name"], v["last_name"], v["date_of_birth"]) for v in values]
        spent["person"] += clock() - started
        started = clock()
        phones = [keyed_hash(v["phone"]) for v in values]
        spent["phone"] += clock() - started
        started = clock()
        emails = [keyed_hash(v["email"].lower()) for v in values]
        spent["email"] += clock() - started
        spent["rows"] += len(raw_rows)
        spent["good"] += len(values)
        if digest is not None:
            for part in (raw_rows, results, people, phones, emails):
                digest.update(repr(part).encode())


def measure(data: bytes, vocab: Any, repeat: int, chunk: int, label: str) -> None:
    from onedoor.police.parser import sniff

    encoding = sniff(io.BytesIO(data)).encoding
    digest = hashlib.sha256()
    passes = [one_pass(data, encoding, vocab, chunk, digest if i == 0 else None) for i in range(repeat)]
    best = {k: min(p[k] for p in passes) for k in passes[0]}  # the least disturbed pass, stage by stage
    n, good = int(best["rows"]), int(best["good"])

    def us(key: str, rows: int) -> str:
        return f"{best[key] / max(rows, 1) * 1e6:7.2f}"

    total = sum(best[k] for k in ("read", "validate", "person", "phone", "email")) / max(n, 1) * 1e6
    print(f"\n{label}: {n:,} rows ({good:,} good, {n - good:,} with errors), encoding {encoding}")
    print(f"  read_rows         {us('read', n)} µs/row")
    print(f"  validate_row      {us('validate', n)} µs/row (includes the row hash)")
    print(f"  person_key        {us('person', good)} µs/good row")
    print(f"  phone key         {us('phone', good)} µs/good row")
    print(f"  email key         {us('email', good)} µs/good row")
    print(f"  total             {total:7.2f} µs/row (read + validate + keys)")
    print(f"  output digest     {digest.hexdigest()[:16]}")


def with_distinct_phones(data: bytes) -> bytes:
    """The same file with a distinct phone number in every row, written the ways people write them."""
    import csv
    import random

    rng = random.Random(1)
    shapes = (
        (40, lambda d: f"07{d[:3]} {d[3:]}"),
        (15, lambda d: f"07{d}"),
        (10, lambda d: f"+44 7{d[:3]} {d[3:]}"),
        (5, lambda d: f"07{d[:3]}-{d[3:6]}-{d[6:]}"),
        (10, lambda d: f"01{d[:3]} {d[3:]}"),
        (10, lambda d: f"020 {d[1:5]} {d[5:]}"),
        (5, lambda d: f"(01{d[:3]}) {d[3:]}"),
        (5, lambda d: f"+1 202 {d[:3]} {d[3:7]}"),
    )
    weights = [w for w, _ in shapes]
    used: set[str] = set()
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    column = rows[0].index("phone")
    for r in rows[1:]:
        digits = f"{rng.randrange(10**9):09d}"
        while digits in used:
            digits = f"{rng.randrange(10**9):09d}"
        used.add(digits)
        r[column] = rng.choices(shapes, weights=weights)[0][1](digits)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def profile(data: bytes, vocab: Any) -> None:
    import cProfile
    import pstats

    from onedoor.police.parser import read_rows, validate_row

    raw_rows = list(read_rows(io.BytesIO(data), "utf-8"))
    prof = cProfile.Profile()
    prof.enable()
    for ln, raw, ok in raw_rows:
        validate_row(ln, raw, ok, vocab, TODAY)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=4000, help="rows per chunk, as the import's CHUNK_SIZE")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onedoor.settings")
    import django

    django.setup()
    from onedoor.police import parser as police_parser
    from onedoor.police.generator import generate

    print(f"parser: {police_parser.__file__}")
    vocab = vocabulary()
    files: dict[str, bytes] = {}
    for bad in (0, 5):
        buf = io.BytesIO()
        generate(buf, rows=args.rows, seed=1, bad_percent=bad, anchor=ANCHOR)
        files[f"bad_percent={bad}"] = buf.getvalue()
    files["bad_percent=0, a distinct phone on every row"] = with_distinct_phones(files["bad_percent=0"])
    if args.profile:
        profile(files["bad_percent=0, a distinct phone on every row"], vocab)
        return
    for label, data in files.items():
        measure(data, vocab, args.repeat, args.chunk, label)


if __name__ == "__main__":
    main()
