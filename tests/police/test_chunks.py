"""The import as chunk tasks: any order, any number of workers, killed and resumed, ends as one clean run."""

from __future__ import annotations

import io
import random
import threading
from typing import Any

import pytest
from django.db import connection, connections
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.messaging.models import Message, MessageStatus
from onedoor.police import chunks
from onedoor.police.chunks import (
    police_batch_advance,
    police_batch_finish,
    police_batch_resume,
    police_batch_upload,
    police_batches_resume_stale,
    police_chunk_load,
    police_chunk_process,
)
from onedoor.police.generator import generate
from onedoor.police.models import BatchPhase, BatchStatus, ChunkPhase, PoliceBatch, PoliceChunk, PoliceRowError
from onedoor.police.models import PoliceVictimRecord as Record
from onedoor.police.services import police_batch_import
from onedoor.police.tasks import police_load_chunk
from tests.police.helpers import NOON, csv_bytes, import_counts, import_state, row, wipe_imports

pytestmark = pytest.mark.django_db

LEDGER = ("rows", "created", "updated", "unchanged", "errors", "referrals", "messages_queued", "messages_withheld")


def _file(rows: int = 600, seed: int = 5) -> bytes:
    buf = io.BytesIO()
    generate(buf, rows=rows, seed=seed, bad_percent=5, anchor=NOON)
    return buf.getvalue()


def _upload(data: bytes, size: int = 100) -> PoliceBatch:
    return police_batch_upload(
        f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=size, enqueue=False
    )


def _numbers(batch: PoliceBatch, phase: str) -> list[int]:
    return list(PoliceChunk.objects.filter(batch=batch, phase=phase).values_list("number", flat=True))


def _ledger(batch: PoliceBatch) -> tuple[int, ...]:
    batch.refresh_from_db()
    return tuple(getattr(batch, k) for k in LEDGER)


def _errors() -> list[tuple[int, str, str]]:
    # The rows and what each says: a duplicate across chunks reads the same whichever chunk ran first.
    return sorted(PoliceRowError.objects.values_list("line", "column", "expected"))


def _offer(record: Record) -> Message:
    assert record.offer is not None, record.crime_reference
    return record.offer


def _clean_run(data: bytes) -> tuple[Any, Any, tuple[int, ...], list[tuple[int, str, str]]]:
    batch = police_batch_import(
        f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=100
    )
    assert batch.status == BatchStatus.COMPLETED
    return import_state(), import_counts(), _ledger(batch), _errors()


def test_split_keeps_every_row_whole_and_every_line_number() -> None:
    rows = [row(victim_reference=f"V{i}", offence_description="two\nlines" if i % 3 else "") for i in range(1, 12)]
    data = b"\r\n" + csv_bytes(rows)
    cut = list(chunks.split_rows(io.BytesIO(data), "utf-8", 4))
    assert [n for _, n, _ in cut] == [4, 4, 3]
    from onedoor.police.parser import read_rows

    whole = [(line, raw) for line, raw, _ in read_rows(io.BytesIO(data), "utf-8")]
    pieces = [
        (line, raw)
        for offset, _, text in cut
        for line, raw, _ in read_rows(io.BytesIO(text.encode()), "utf-8", line_offset=offset)
    ]
    assert pieces == whole


def test_chunks_in_any_order_end_as_one_clean_run() -> None:
    data = _file()
    state, counts, ledger, errors = _clean_run(data)
    wipe_imports()

    batch = _upload(data)
    assert batch.phase == BatchPhase.LOAD and batch.rows_expected == 600
    order = _numbers(batch, ChunkPhase.LOAD)
    random.Random(3).shuffle(order)
    for number in order:
        assert police_chunk_load(batch_id=batch.pk, number=number)
    assert police_batch_advance(batch_id=batch.pk, chunk_size=100, enqueue=False) == BatchPhase.PROCESS
    for number in reversed(_numbers(batch, ChunkPhase.PROCESS)):
        assert police_chunk_process(batch_id=batch.pk, number=number)
    assert police_batch_advance(batch_id=batch.pk, enqueue=False) == BatchPhase.FINISH
    police_batch_finish(batch_id=batch.pk, chunk_size=100)

    assert import_state() == state
    assert import_counts() == counts
    assert _ledger(batch) == ledger and _errors() == errors
    batch.refresh_from_db()
    assert (batch.status, batch.phase, batch.processed) == (BatchStatus.COMPLETED, BatchPhase.DONE, batch.to_process)
    assert not PoliceChunk.objects.exclude(data=b"").exists()  # the stored file is cleared once loaded


@pytest.mark.parametrize("changed", [False, True])
def test_a_victim_in_two_chunks_reads_the_same_whichever_chunk_loads_first(changed: bool) -> None:
    # V1 on line 2 (chunk 1) and again on line 6 (chunk 3), the same row or a changed one.
    again = row(victim_reference="V1", offence_description="Changed" if changed else "")
    data = csv_bytes([row(victim_reference=f"V{i}") for i in range(1, 5)] + [again])
    seen = []
    for order in ([1, 2, 3], [3, 2, 1]):
        wipe_imports()
        batch = _upload(data, size=2)
        for number in order:
            assert police_chunk_load(batch_id=batch.pk, number=number)
        seen.append(_errors())
    assert seen[0] == seen[1] == [(6, "victim_reference", "a victim not already in this file (duplicate of line 2)")]


def test_a_chunk_run_twice_counts_once_and_a_dead_worker_is_resumed() -> None:
    data = _file()
    state, counts, ledger, errors = _clean_run(data)
    wipe_imports()

    batch = _upload(data)
    loads = _numbers(batch, ChunkPhase.LOAD)
    for number in loads[:3]:
        police_chunk_load(batch_id=batch.pk, number=number)
    # The worker died after committing chunk 3 and before moving the batch on; its task runs again.
    assert police_chunk_load(batch_id=batch.pk, number=loads[2]) is False
    assert police_batch_advance(batch_id=batch.pk, enqueue=False) == BatchPhase.LOAD  # chunks still pending
    for number in loads[3:]:
        police_chunk_load(batch_id=batch.pk, number=number)
    police_batch_advance(batch_id=batch.pk, chunk_size=100, enqueue=False)
    police_chunk_process(batch_id=batch.pk, number=2)
    # Killed here: a rerun of the same file resumes the batch rather than starting another.
    again = police_batch_import(
        f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=100
    )
    assert again.pk == batch.pk and PoliceBatch.objects.count() == 1
    assert import_state() == state
    assert import_counts() == counts
    assert _ledger(batch) == ledger and _errors() == errors


def test_killed_in_the_finishing_step_then_rerun_matches_one_clean_run() -> None:
    data = _file(rows=1200, seed=8)
    state, counts, ledger, _ = _clean_run(data)
    contested = Record.objects.count() - sum(
        PoliceChunk.objects.filter(phase=ChunkPhase.PROCESS).values_list("rows", flat=True)
    )
    wipe_imports()

    def kill(phase: str, number: int) -> None:
        if phase == "finish" and number == 1:
            raise chunks.ImportInterrupted("killed")

    with pytest.raises(chunks.ImportInterrupted):
        police_batch_import(
            f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=10, after_chunk=kill
        )
    batch = PoliceBatch.objects.get()
    assert (batch.status, batch.phase) == (BatchStatus.RUNNING, BatchPhase.FINISH)
    assert contested <= 0 or Record.objects.filter(processed_at__isnull=True).exists()
    police_batch_import(f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=10)
    assert import_state() == state
    assert import_counts() == counts
    assert _ledger(batch) == ledger


def test_one_offer_per_person_across_chunks_in_any_order() -> None:
    # One person (same name and date of birth), victim of three crimes, one per chunk.
    people = [
        row(
            crime_reference=f"23/000000{i}/26",
            recorded_at=f"2026-01-0{i}T10:00:00",
            phone="",
            email=f"a{i}@example.org",
        )
        for i in (1, 2, 3)
    ]
    people.append(row(crime_reference="23/0000009/26", first_name="Sam", phone="07700 900200", email=""))
    batch = _upload(csv_bytes(people), size=1)
    for number in reversed(_numbers(batch, ChunkPhase.LOAD)):
        police_chunk_load(batch_id=batch.pk, number=number)
    police_batch_advance(batch_id=batch.pk, chunk_size=1, enqueue=False)
    for number in reversed(_numbers(batch, ChunkPhase.PROCESS)):
        police_chunk_process(batch_id=batch.pk, number=number)
    # The parallel chunks offered Sam, and left the person named three times for the ordered step.
    assert Record.objects.filter(processed_at__isnull=True).count() == 3
    police_batch_advance(batch_id=batch.pk, enqueue=False)
    police_batch_finish(batch_id=batch.pk, chunk_size=1)
    offers = {
        r.crime_reference: _offer(r).status for r in Record.objects.select_related("offer").filter(first_name="Alex")
    }
    reasons = {r.crime_reference: _offer(r).withheld_reasons for r in Record.objects.select_related("offer")}
    assert offers["23/0000001/26"] == MessageStatus.QUEUED, reasons  # the first in the file
    assert offers["23/0000002/26"] == offers["23/0000003/26"] == MessageStatus.WITHHELD
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == 2


def test_the_same_victim_twice_in_a_file_keeps_the_first_line_whatever_chunk_runs_first() -> None:
    data = csv_bytes([row(first_name="First"), row(victim_reference="V2"), row(first_name="Second")])
    batch = _upload(data, size=1)
    for number in (3, 2, 1):
        police_chunk_load(batch_id=batch.pk, number=number)
    assert Record.objects.get(victim_reference="V1").first_name == "First"
    assert list(PoliceRowError.objects.values_list("line", flat=True)) == [4]
    batch.refresh_from_db()
    assert (batch.rows, batch.created, batch.updated, batch.errors) == (3, 2, 0, 1)


def test_a_chunk_that_fails_fails_its_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _upload(csv_bytes([row()]))

    def broken(**kwargs: Any) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(chunks, "_load_chunk", broken)
    with pytest.raises(ValueError):
        police_load_chunk.call(batch_id=batch.pk, number=1)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.failure == "ValueError" and batch.finished_at


def test_the_recovery_task_resumes_a_batch_whose_worker_died(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    batch = _upload(csv_bytes([row(), row(victim_reference="V2")]), size=1)
    police_chunk_load(batch_id=batch.pk, number=1)  # then the worker died
    assert police_batches_resume_stale(idle=600, now=NOON) == []  # not idle long enough yet
    later = NOON + (chunks.timedelta(minutes=11))
    PoliceChunk.objects.filter(done_at__isnull=False).update(done_at=NOON)
    with django_capture_on_commit_callbacks(execute=True):
        assert police_batches_resume_stale(idle=600, now=later) == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.processed) == (BatchStatus.COMPLETED, 2, 2)
    assert police_batch_resume(batch_id=batch.pk) == ""  # nothing to resume once completed


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_workers_at_once_give_one_offer_per_person() -> None:
    from django.core.management import call_command

    call_command("load_area", verbosity=0, stdout=io.StringIO())
    people = [row(crime_reference=f"23/00000{i:02}/26", phone="", email=f"a{i}@example.org") for i in range(1, 21)]
    people += [
        row(crime_reference=f"23/00001{i:02}/26", first_name=f"Sam{chr(65 + i)}", phone="", email=f"s{i}@example.org")
        for i in range(20)
    ]
    batch = _upload(csv_bytes(people), size=5)
    numbers = _numbers(batch, ChunkPhase.LOAD)
    failures: list[BaseException] = []

    def worker(mine: list[int], phase: str) -> None:
        try:
            for n in mine:
                if phase == "load":
                    police_chunk_load(batch_id=batch.pk, number=n)
                else:
                    police_chunk_process(batch_id=batch.pk, number=n)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    for phase in ("load", "process"):
        threads = [threading.Thread(target=worker, args=(numbers[i::2], phase)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures
        police_batch_advance(batch_id=batch.pk, chunk_size=5, enqueue=False)
        numbers = _numbers(batch, ChunkPhase.PROCESS)
    police_batch_finish(batch_id=batch.pk, chunk_size=5)
    alex = list(Record.objects.filter(first_name="Alex").select_related("offer").order_by("line"))
    offered = [r.crime_reference for r in alex if _offer(r).status != MessageStatus.WITHHELD]
    assert offered == [alex[0].crime_reference]  # one offer, to the first in the file (sent: tasks run inline)
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.errors) == (BatchStatus.COMPLETED, 40, 0)


def _alex(crime: int, **kw: str) -> dict[str, str]:
    return row(crime_reference=f"23/00000{crime:02}/26", phone="", email="alex@example.org", **kw)


def test_a_second_file_waits_while_the_first_offers_support_so_one_person_is_offered_once(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # Two files (say two forces' overnight files) name the same person for different crimes. Each
    # record is uncontested within its own file, so without one batch offering at a time both could be
    # offered at once by two workers.
    first = _upload(csv_bytes([_alex(1)]), size=1)
    police_chunk_load(batch_id=first.pk, number=1)
    assert police_batch_advance(batch_id=first.pk, chunk_size=1, enqueue=False) == BatchPhase.PROCESS
    second = police_batch_upload(
        f=io.BytesIO(csv_bytes([_alex(2, victim_reference="V9")])),
        file_name="g.csv",
        actor=None,
        channel="cli",
        now=NOON,
        chunk_size=1,
        enqueue=False,
    )
    police_chunk_load(batch_id=second.pk, number=1)
    assert police_batch_advance(batch_id=second.pk, chunk_size=1, enqueue=False) == BatchPhase.WAIT
    assert police_batch_resume(batch_id=second.pk, enqueue=False) == BatchPhase.WAIT  # resuming waits too
    second.refresh_from_db()
    assert second.get_phase_display() == "Waiting for an earlier file to finish offering support"
    for number in _numbers(first, ChunkPhase.PROCESS):
        police_chunk_process(batch_id=first.pk, number=number)
    police_batch_advance(batch_id=first.pk, enqueue=False)
    # Finishing the first hands over to the second: its chunk tasks are queued, and run (inline here).
    with django_capture_on_commit_callbacks(execute=True):
        police_batch_finish(batch_id=first.pk, chunk_size=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BatchStatus.COMPLETED, BatchStatus.COMPLETED)
    offered = sorted(
        (r.crime_reference, _offer(r).status != MessageStatus.WITHHELD)
        for r in Record.objects.select_related("offer").filter(first_name="Alex")
    )
    assert offered == [("23/0000001/26", True), ("23/0000002/26", False)]  # the first file's, sent once


def test_a_failed_batch_hands_over_to_the_one_waiting(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    first = _upload(csv_bytes([_alex(1)]), size=1)
    police_chunk_load(batch_id=first.pk, number=1)
    police_batch_advance(batch_id=first.pk, chunk_size=1, enqueue=False)
    second = police_batch_upload(
        f=io.BytesIO(csv_bytes([_alex(2, victim_reference="V9")])),
        file_name="g.csv",
        actor=None,
        channel="cli",
        now=NOON,
        chunk_size=1,
        enqueue=False,
    )
    police_chunk_load(batch_id=second.pk, number=1)
    assert police_batch_advance(batch_id=second.pk, enqueue=False) == BatchPhase.WAIT
    with django_capture_on_commit_callbacks(execute=True):
        chunks.police_batch_fail(batch_id=first.pk, why="ValueError")
    second.refresh_from_db()
    assert second.status == BatchStatus.COMPLETED


def test_the_command_finishes_a_batch_left_offering_before_its_own() -> None:
    # A web upload's workers were killed while it was offering support; the command imports another file.
    stuck = _upload(csv_bytes([_alex(1)]), size=1)
    police_chunk_load(batch_id=stuck.pk, number=1)
    police_batch_advance(batch_id=stuck.pk, chunk_size=1, enqueue=False)
    batch = police_batch_import(
        f=io.BytesIO(csv_bytes([_alex(2, victim_reference="V9")])),
        file_name="g.csv",
        actor=None,
        channel="cli",
        now=NOON,
        chunk_size=1,
    )
    stuck.refresh_from_db()
    assert (stuck.status, batch.status) == (BatchStatus.COMPLETED, BatchStatus.COMPLETED)
    offered = [
        r.crime_reference for r in Record.objects.select_related("offer") if _offer(r).status == MessageStatus.QUEUED
    ]
    assert offered == ["23/0000001/26"]
