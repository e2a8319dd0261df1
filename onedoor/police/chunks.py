"""The police import as chunk tasks (ADR 0009): upload, then process, in parallel on any number of workers.

1. Upload (`police_batch_upload`, in the request): hash the file, detect its encoding, cut it into chunks
   of whole rows and store each chunk's text in the database, with the batch, in one transaction; one
   load task per chunk is enqueued on commit. A file that cannot be read is refused there and then.
2. Load chunks (`police_chunk_load`), in parallel: check the chunk's rows and create, update or leave
   each victim record, as before (`load._load_chunk`), marking the chunk done in the same
   transaction.
3. Whichever load chunk finishes last cuts the unprocessed records into id ranges: one process task
   each. Process chunks (`police_chunk_process`), in parallel, route and offer support to every record
   in their range except the contested ones: those whose person or contact key another unprocessed
   record shares.
4. Whichever process chunk finishes last runs the finishing step: the contested records, in id order,
   a chunk per transaction (`process.police_records_process`), then the batch is completed.

Every step is idempotent (a chunk's `done_at` commits with its writes; the hand-over to the next phase
happens under the batch's row lock), so a task run twice, or a batch resumed after its worker died, ends
exactly as one clean run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task  # noqa: TID251 -- the police import's chunk tasks live beside their phases

from onedoor.accounts.models import User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.tasks import enqueue_on_commit
from onedoor.police.load import CHUNK_SIZE, ImportInterrupted, _check, _load_chunk, _rejected, area_force_codes
from onedoor.police.models import (
    BatchPhase,
    BatchStatus,
    ChunkPhase,
    PoliceBatch,
    PoliceChunk,
    PoliceVictimRecord,
)
from onedoor.police.parser import FileRejected, LineSink, Vocabulary, read_rows, sniff
from onedoor.police.process import (
    _CHUNK_FIELDS,
    _MATCH_KEYS,
    _Context,
    _plan_chunk,
    _write_chunk,
    police_records_process,
)

ATTEMPTS = 5  # a chunk that meets a concurrent one (the same victim twice, a new officer) is retried
AfterChunk = Callable[[str, int], None]


class ChunkRetry(RuntimeError):
    """A chunk failed ATTEMPTS times on a conflict with another chunk; its task can run it again."""


# -- 1. upload --------------------------------------------------------------------------------------------


def split_rows(f: IO[bytes], encoding: str, size: int) -> Iterator[tuple[int, int, str]]:
    """Cut the file into chunks of `size` rows, never inside a row (a quoted field may run over lines;
    a stray quote's swallowed lines stay with it). Yields (line offset, rows, the chunk's text with the
    header row first). Raises FileRejected as `read_rows` does."""
    sink = LineSink()
    header = ""
    first = 0  # the absolute line number of sink.lines[0]
    header_lines = 1
    count = 0
    read_upto = 0
    for line, _raw, _ok in read_rows(f, encoding, sink=sink):
        if not header:
            kept = [text for text in sink.lines[: sink.header_lines] if text.strip()]
            header, header_lines = "".join(kept), len(kept)
            del sink.lines[: sink.header_lines]
            first = sink.header_lines + 1
        new_row = line > read_upto  # lines of one unreadable span come together, from lines already read
        if new_row and count >= size:
            cut = line - first
            yield first - header_lines - 1, count, header + "".join(sink.lines[:cut])
            del sink.lines[:cut]
            first, count = line, 0
        count += 1
        read_upto = first + len(sink.lines) - 1
    if count:
        yield first - header_lines - 1, count, header + "".join(sink.lines)


def police_batch_upload(
    *,
    f: IO[bytes],
    file_name: str,
    actor: User | None,
    channel: str,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    enqueue: bool = True,
) -> PoliceBatch:
    """Store a file as a batch of load chunks and (with `enqueue`) queue their tasks. Returns at once:
    the batch is `running`, in its load phase. A file that cannot be read gives a `rejected` batch. The
    same file uploaded again while its batch is still running resumes that batch instead."""
    moment = now or timezone.now()
    try:
        facts = sniff(f)
    except FileRejected as exc:
        return _rejected(file_name, actor, channel, moment, str(exc))
    running = PoliceBatch.objects.filter(file_hash=facts.sha256, status=BatchStatus.RUNNING).order_by("-pk").first()
    if running is not None:
        police_batch_resume(batch_id=running.pk, enqueue=enqueue)
        running.refresh_from_db()
        return running
    try:
        with transaction.atomic():
            batch = PoliceBatch.objects.create(
                file_name=file_name[:255],
                file_hash=facts.sha256,
                file_size=facts.size,
                encoding=facts.encoding,
                channel=channel,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                started_at=moment,
                phase=BatchPhase.LOAD,
            )
            audit_record(
                actor=actor, action=AuditAction.POLICE_BATCH_STARTED, obj=batch, detail={"file_hash": facts.sha256}
            )
            total = 0
            number = 0
            for number, (offset, rows, text) in enumerate(split_rows(f, facts.encoding, chunk_size), start=1):
                PoliceChunk.objects.create(
                    batch=batch, phase=ChunkPhase.LOAD, number=number, rows=rows, line_offset=offset, data=text.encode()
                )
                total += rows
            PoliceBatch.objects.filter(pk=batch.pk).update(rows_expected=total)
            if enqueue:
                for n in range(1, number + 1):
                    enqueue_on_commit(police_load_chunk, batch_id=batch.pk, number=n)
    except FileRejected as exc:
        return _rejected(file_name, actor, channel, moment, str(exc))
    batch.refresh_from_db()
    return batch


# -- 2. load chunks -----------------------------------------------------------------------------------------


def _retrying(work: Callable[[], Any], on_retry: Callable[[], None] | None = None) -> Any:
    """Run `work` (one transaction); on a conflict with a concurrent chunk (a unique key both inserted,
    a deadlock) run it again: the other chunk's rows are committed by then."""
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
            if on_retry:
                on_retry()
    raise ChunkRetry  # pragma: no cover - the loop returns or raises


def _running(batch_id: int) -> PoliceBatch | None:
    batch = PoliceBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    return batch if batch is not None and batch.status == BatchStatus.RUNNING else None


def police_chunk_load(*, batch_id: int, number: int, vocab: Vocabulary | None = None) -> bool:
    """Load one chunk's rows. Returns False if it was already done (or the batch is no longer running)."""
    batch = _running(batch_id)
    if batch is None:
        return False
    words = vocab or Vocabulary.load(area_force_codes())
    today = timezone.localdate(batch.started_at)

    def work() -> bool:
        with transaction.atomic():
            chunk = PoliceChunk.objects.select_for_update().get(batch_id=batch_id, phase=ChunkPhase.LOAD, number=number)
            if chunk.done_at is not None:
                return False
            rows = list(read_rows(io.BytesIO(bytes(chunk.data)), "utf-8", line_offset=chunk.line_offset))
            good, errors = _check(rows, words, today, None)
            _load_chunk(
                batch=batch, rows=len(rows), good=good, errors=errors, actor=batch.created_by, now=batch.started_at
            )
            PoliceChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now(), data=b"")
            return True

    return bool(_retrying(work))


# -- 3. process chunks ------------------------------------------------------------------------------------


def _contested(lo: int, hi: int) -> set[int]:
    """Unprocessed records in ids lo..hi whose person, phone or email key another unprocessed record shares.
    Their offers are decided in file order in the finishing step (ADR 0009); every other record's outcome
    is independent of order. Each key is looked up in its own index and "unprocessed" is checked here: a
    `processed_at IS NULL` condition in the query lets a planner with stale statistics read the whole
    unprocessed index once for every record."""
    found: set[int] = set()
    chunk = PoliceVictimRecord.objects.filter(id__gte=lo, id__lte=hi, processed_at__isnull=True)
    for key in _MATCH_KEYS:
        mine = {k: pk for pk, k in chunk.exclude(**{key: ""}).values_list("id", key)}
        if not mine:
            continue
        holders: dict[str, list[int]] = {}
        rows = (
            PoliceVictimRecord.objects.filter(**{f"{key}__in": list(mine)})
            .exclude(**{key: ""})
            .values_list(key, "id", "processed_at")
        )
        for value, pk, processed_at in rows:
            if processed_at is None:
                holders.setdefault(value, []).append(pk)
        found.update(pk for value, pks in holders.items() if len(pks) > 1 for pk in pks if lo <= pk <= hi)
    return found


def police_chunk_process(*, batch_id: int, number: int, ctx: _Context | None = None) -> bool:
    """Route and offer support to the uncontested unprocessed records in one chunk's id range."""
    batch = _running(batch_id)
    if batch is None:
        return False
    context = ctx or _Context.load(timezone.localdate(batch.started_at))

    def work() -> bool:
        with transaction.atomic():
            chunk = PoliceChunk.objects.select_for_update().get(
                batch_id=batch_id, phase=ChunkPhase.PROCESS, number=number
            )
            if chunk.done_at is not None:
                return False
            assert chunk.id_from is not None and chunk.id_to is not None
            contested = _contested(chunk.id_from, chunk.id_to)
            records = [
                r
                for r in PoliceVictimRecord.objects.select_for_update()
                .filter(id__gte=chunk.id_from, id__lte=chunk.id_to, processed_at__isnull=True)
                .order_by("id")
                .values_list(*_CHUNK_FIELDS, named=True)
                if r.id not in contested
            ]
            if records:
                _write_chunk(_plan_chunk(records=records, ctx=context, now=batch.started_at), batch)
            PoliceChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now())
            return True

    # A retry must not reuse referrer accounts made in the transaction that rolled back.
    return bool(_retrying(work, on_retry=context.officers.clear))


# -- hand-over, finishing, resuming ---------------------------------------------------------------------


def _pending(batch: PoliceBatch, phase: str) -> list[int]:
    return list(
        PoliceChunk.objects.filter(batch=batch, phase=phase, done_at__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )


# Phases in which a batch decides support offers. Only one batch at a time may be in them.
OFFERING_PHASES = (BatchPhase.PROCESS, BatchPhase.FINISH)


def police_batch_advance(*, batch_id: int, chunk_size: int = CHUNK_SIZE, enqueue: bool = True) -> str:
    """Move a batch on when its current phase's chunks are all done: load -> (wait) -> process (cutting the
    unprocessed records into process chunks) -> finish. Under the row locks of every running batch, taken in
    id order, so that of several chunks finishing at once exactly one moves a batch on, and so that only one
    batch at a time decides support offers: a loaded batch waits while another is processing or finishing,
    since an uncontested record in one batch and a record of the same person in another could otherwise both
    be offered support at once. Returns the phase it is in."""
    with transaction.atomic():
        running = list(PoliceBatch.objects.select_for_update().filter(status=BatchStatus.RUNNING).order_by("pk"))
        batch = next((b for b in running if b.pk == batch_id), None)
        if batch is None:
            return str(PoliceBatch.objects.get(pk=batch_id).phase)
        if batch.phase == BatchPhase.LOAD and not _pending(batch, ChunkPhase.LOAD):
            batch.phase = BatchPhase.WAIT
            batch.save(update_fields=["phase"])
        if batch.phase == BatchPhase.WAIT:
            if any(b.pk != batch.pk and b.phase in OFFERING_PHASES for b in running):
                return str(batch.phase)  # the batch that is offering hands over when it completes or fails
            ranges = _id_ranges(chunk_size)
            PoliceChunk.objects.bulk_create(
                PoliceChunk(batch=batch, phase=ChunkPhase.PROCESS, number=n, id_from=lo, id_to=hi, rows=rows)
                for n, (lo, hi, rows) in enumerate(ranges, start=1)
            )
            batch.phase = BatchPhase.PROCESS if ranges else BatchPhase.FINISH
            batch.to_process = sum(rows for _, _, rows in ranges)
            batch.save(update_fields=["phase", "to_process"])
            if enqueue:
                for n in range(1, len(ranges) + 1):
                    enqueue_on_commit(police_process_chunk, batch_id=batch.pk, number=n)
        elif batch.phase == BatchPhase.PROCESS and not _pending(batch, ChunkPhase.PROCESS):
            batch.phase = BatchPhase.FINISH
            batch.save(update_fields=["phase"])
        if batch.phase == BatchPhase.FINISH and enqueue:
            enqueue_on_commit(police_finish_batch, batch_id=batch.pk)
        return str(batch.phase)


def _waiting_batches() -> list[int]:
    return list(
        PoliceBatch.objects.filter(status=BatchStatus.RUNNING, phase=BatchPhase.WAIT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _offering_batch(*, other_than: int) -> PoliceBatch | None:
    return (
        PoliceBatch.objects.filter(status=BatchStatus.RUNNING, phase__in=OFFERING_PHASES)
        .exclude(pk=other_than)
        .order_by("pk")
        .first()
    )


def _hand_over(*, enqueue: bool) -> None:
    """After a batch completes or fails: the oldest waiting batch (if any) starts offering support."""
    for pk in _waiting_batches():
        if police_batch_advance(batch_id=pk, enqueue=enqueue) != BatchPhase.WAIT:
            return


def _id_ranges(size: int) -> list[tuple[int, int, int]]:
    """The unprocessed records' ids, oldest first, as (first id, last id, count) ranges of `size`."""
    ranges: list[tuple[int, int, int]] = []
    ids = PoliceVictimRecord.objects.filter(processed_at__isnull=True).order_by("id").values_list("id", flat=True)
    lo = hi = None
    count = 0
    for pk in ids.iterator(chunk_size=10_000):
        if lo is None:
            lo = pk
        hi, count = pk, count + 1
        if count == size:
            ranges.append((lo, hi, count))
            lo, count = None, 0
    if lo is not None and hi is not None:
        ranges.append((lo, hi, count))
    return ranges


def police_batch_finish(
    *, batch_id: int, chunk_size: int = CHUNK_SIZE, after_chunk: AfterChunk | None = None, enqueue: bool = True
) -> PoliceBatch | None:
    """The finishing step: the contested records in id order, a chunk per transaction (each taking the
    batch's row lock, so two finishers take turns rather than deciding out of order), then complete."""
    batch = _running(batch_id)
    if batch is None or batch.phase != BatchPhase.FINISH:
        return batch
    _retrying(
        lambda: police_records_process(
            batch=batch, now=batch.started_at, chunk_size=chunk_size, after_chunk=after_chunk, lock_batch=True
        )
    )
    with transaction.atomic():
        locked = PoliceBatch.objects.select_for_update().get(pk=batch_id)
        if locked.status != BatchStatus.RUNNING:
            return locked
        locked.status, locked.phase, locked.finished_at = BatchStatus.COMPLETED, BatchPhase.DONE, timezone.now()
        locked.save(update_fields=["status", "phase", "finished_at"])
        audit_record(
            actor=locked.created_by, action=AuditAction.POLICE_BATCH_COMPLETED, obj=locked, detail=locked.summary()
        )
    _hand_over(enqueue=enqueue)
    return locked


def police_batch_fail(*, batch_id: int, why: str) -> None:
    """A chunk met an error that running it again will not cure: the batch is failed, not left running."""
    with transaction.atomic():
        updated = PoliceBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(
            status=BatchStatus.FAILED, failure=why[:500], finished_at=timezone.now()
        )
        if updated:
            batch = PoliceBatch.objects.get(pk=batch_id)
            audit_record(actor=None, action=AuditAction.POLICE_BATCH_FAILED, obj=batch, detail={"failure": why[:100]})
    if updated:
        _hand_over(enqueue=True)


def police_batch_resume(*, batch_id: int, enqueue: bool = True) -> str:
    """Queue again whatever a running batch has left (after its worker died, say), then move it on.
    Safe to call at any time: a chunk already done, or being done, is not done twice."""
    batch = _running(batch_id)
    if batch is None:
        return ""
    if enqueue:
        with transaction.atomic():
            phase_task = {BatchPhase.LOAD: (ChunkPhase.LOAD, police_load_chunk)}
            phase_task[BatchPhase.PROCESS] = (ChunkPhase.PROCESS, police_process_chunk)
            if batch.phase in phase_task:
                chunk_phase, task = phase_task[BatchPhase(batch.phase)]
                for n in _pending(batch, chunk_phase):
                    enqueue_on_commit(task, batch_id=batch.pk, number=n)
    return police_batch_advance(batch_id=batch.pk, enqueue=enqueue)


def police_batches_resume_stale(*, idle: int = 600, now: datetime | None = None) -> list[int]:
    """Resume every running batch that has done nothing for `idle` seconds: the recovery task."""
    moment = now or timezone.now()
    cutoff = moment - timedelta(seconds=idle)
    recent = PoliceChunk.objects.filter(batch=OuterRef("pk"), done_at__gte=cutoff)
    stale = PoliceBatch.objects.filter(status=BatchStatus.RUNNING, started_at__lt=cutoff).exclude(Exists(recent))
    resumed = list(stale.values_list("pk", flat=True))
    for pk in resumed:
        police_batch_resume(batch_id=pk)
    return resumed


# -- all of it in this process: the command, tests ------------------------------------------------------

# How many other batches an import in this process runs to the end before its own may offer support.
MAX_BLOCKERS = 20


def police_batch_run(
    *,
    batch: PoliceBatch,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    after_chunk: AfterChunk | None = None,
    hand_over: bool = True,
) -> PoliceBatch:
    """Run every chunk a batch has left, here and in order, as the workers would; then finish it. With
    `hand_over`, a batch left waiting for this one is then queued for the workers."""
    try:
        vocab = Vocabulary.load(area_force_codes())
        for number in _pending(batch, ChunkPhase.LOAD):
            police_chunk_load(batch_id=batch.pk, number=number, vocab=vocab)
            if progress:
                progress(PoliceChunk.objects.get(batch=batch, phase=ChunkPhase.LOAD, number=number).rows)
            if after_chunk:
                after_chunk("load", number)
        # Another file's batch may be offering support (a worker's, or one killed part-way): run what it has
        # left here first, as a worker would, so that this one can start (one batch offers at a time).
        for _ in range(MAX_BLOCKERS):
            if police_batch_advance(batch_id=batch.pk, chunk_size=chunk_size, enqueue=False) != BatchPhase.WAIT:
                break
            blocker = _offering_batch(other_than=batch.pk)
            if blocker is not None:
                police_batch_run(batch=blocker, chunk_size=chunk_size, after_chunk=after_chunk, hand_over=False)
        ctx = _Context.load(timezone.localdate(batch.started_at))
        for number in _pending(batch, ChunkPhase.PROCESS):
            police_chunk_process(batch_id=batch.pk, number=number, ctx=ctx)
            if after_chunk:
                after_chunk("process", number)
        police_batch_advance(batch_id=batch.pk, chunk_size=chunk_size, enqueue=False)
        police_batch_finish(batch_id=batch.pk, chunk_size=chunk_size, after_chunk=after_chunk, enqueue=hand_over)
    except ImportInterrupted:
        raise
    except Exception as exc:
        police_batch_fail(batch_id=batch.pk, why=type(exc).__name__)
        raise
    batch.refresh_from_db()
    return batch


def police_batch_import(
    *,
    f: IO[bytes],
    file_name: str,
    actor: User | None,
    channel: str,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    after_chunk: AfterChunk | None = None,
) -> PoliceBatch:
    """Import one file here and now (the command): upload it, then run its chunks in this process.
    `progress(n)` is told of every n rows loaded; `after_chunk(phase, number)` is a test hook, called
    once a chunk is committed. The same file again after a killed run resumes that run."""
    batch = police_batch_upload(
        f=f, file_name=file_name, actor=actor, channel=channel, now=now, chunk_size=chunk_size, enqueue=False
    )
    if batch.status != BatchStatus.RUNNING:
        return batch
    return police_batch_run(batch=batch, chunk_size=chunk_size, progress=progress, after_chunk=after_chunk)


# -- the chunk tasks -------------------------------------------------------------------------------------
# Here, beside the steps they run and the hand-over that queues them, so that neither module imports the
# other; `onedoor.police.tasks` re-exports them under the names queued rows already hold. Each runs one
# idempotent step and then tries to move its batch on; a chunk that fails for a reason a rerun will not
# cure fails its batch, so that no batch is left "running" by an error.

# Ahead of the send tasks the import queues, so that a batch finishes before its offers go out in bulk
# (the send tasks wait minutes at most, and a finished batch is what the police data officer watches).
IMPORT_PRIORITY = 10


def _step(batch_id: int, work: Callable[[], Any]) -> None:
    try:
        work()
    except (ChunkRetry, OperationalError, IntegrityError):
        raise  # a conflict or the database going away: the task is retried, the batch stays resumable
    except Exception as exc:
        police_batch_fail(batch_id=batch_id, why=type(exc).__name__)
        raise
    police_batch_advance(batch_id=batch_id)


@task(priority=IMPORT_PRIORITY)
def police_load_chunk(*, batch_id: int, number: int) -> None:
    _step(batch_id, lambda: police_chunk_load(batch_id=batch_id, number=number))


@task(priority=IMPORT_PRIORITY)
def police_process_chunk(*, batch_id: int, number: int) -> None:
    _step(batch_id, lambda: police_chunk_process(batch_id=batch_id, number=number))


@task(priority=IMPORT_PRIORITY)
def police_finish_batch(*, batch_id: int) -> None:
    try:
        police_batch_finish(batch_id=batch_id)
    except (OperationalError, IntegrityError):
        raise
    except Exception as exc:
        police_batch_fail(batch_id=batch_id, why=type(exc).__name__)
        raise


@task()
def police_resume_stale_batches() -> None:
    """The recovery task: resume running batches that have done nothing for ten minutes."""
    police_batches_resume_stale()
