"""Bulk lodging from an uploaded JSON Lines file, in the background, a batch at a time.

The lines are lodged with the batch handler ``clearway process`` uses (``lodge_declarations``)
and refusals are written in its format (one JSON object a line: line number, LRN, detail and
the errors), so a file refused here reads the same as one refused on the command line; lines
are read from the stored upload with the same reader and size limit per line. The page
polls the job's counters while it runs. Jobs live in this process's memory: the counters and
the refusals file are for the person watching, the declarations themselves are stored.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from clearway.adapters.json_input import json_lines
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import NotFound
from clearway.domain.identifiers import new_id
from clearway.domain.rules import Violation
from clearway.entrypoints.cli.bulk import InputLine, LineLodged, LineRefused, lodge_lines
from clearway.entrypoints.web.trader_lodge_messages import schema_messages

log = logging.getLogger(__name__)
# About twenty progress steps a file, in batches big enough for bulk lodging to pay off.
PROGRESS_STEPS = 20
MIN_BATCH, MAX_BATCH = 5, 500
KEPT_JOBS = 50
# Two cores: one upload lodges at a time, the others wait their turn.
_ONE_AT_A_TIME = threading.Semaphore(1)
_JOBS: dict[str, BulkJob] = {}
_REGISTRY = threading.Lock()


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int
    lrn: str | None
    detail: str
    errors: tuple[Violation, ...]
    # The same errors in the words the page shows (schema errors in plain words); the file
    # keeps the validator's own, as ``clearway process`` writes them.
    shown: tuple[Violation, ...] = ()

    def document(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "lrn": self.lrn,
            "detail": self.detail,
            "errors": [
                {"code": v.code, "pointer": v.pointer, "detail": v.message} for v in self.errors
            ],
        }


@dataclass
class BulkJob:
    id: str
    owner: str
    file_name: str
    total_bytes: int
    started_at: datetime
    folder: Path
    batch_size: int = MIN_BATCH
    read: int = 0
    lodged: int = 0
    replayed: int = 0
    refused: int = 0
    bytes_done: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    shown_refusals: list[Refusal] = field(default_factory=list)
    waiting: bool = True
    finished: bool = False
    failure: str | None = None
    # Held by the lodging thread while it changes the job and by a page while it copies it.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> BulkJob:
        """The job as it stands, all of a piece. A page renders this, not the job the lodging
        thread goes on changing: one that read the refusals before the last batch and the
        totals after it would show a finished upload with refusals counted and none listed,
        and, being finished, never look again."""
        with self.lock:
            return replace(
                self,
                outcomes=Counter(self.outcomes),
                shown_refusals=list(self.shown_refusals),
                lock=threading.Lock(),
            )

    @property
    def refusals_path(self) -> Path:
        return self.folder / "refusals.jsonl"

    @property
    def source_path(self) -> Path:
        return self.folder / "upload.jsonl"

    @property
    def percent(self) -> int:
        if self.finished or not self.total_bytes:
            return 100
        return min(99, self.bytes_done * 100 // self.total_bytes)


def _batch_size(data: bytes) -> int:
    return max(MIN_BATCH, min(MAX_BATCH, data.count(b"\n") // PROGRESS_STEPS))


def _refuse(job: BulkJob, out: Any, refusal: Refusal) -> None:
    with job.lock:
        job.refused += 1
        if len(job.shown_refusals) < 100:
            job.shown_refusals.append(refusal)
    out.write(orjson.dumps(refusal.document()) + b"\n")


def _lodge_all(
    runtime: Runtime, job: BulkJob, actor: Principal, lines: Iterator[InputLine]
) -> None:
    with job.refusals_path.open("wb") as out:

        def refused(line: LineRefused) -> None:
            messages = () if line.parse_error is None else tuple(schema_messages(line.parse_error))
            _refuse(
                job, out, Refusal(line.number, line.lrn, line.detail, line.violations, messages)
            )

        def lodged(line: LineLodged) -> None:
            with job.lock:
                if line.created:
                    job.lodged += 1
                    job.outcomes[line.outcome] += 1
                else:
                    job.replayed += 1

        def batch_done(offset: int) -> None:
            out.flush()
            with job.lock:
                job.bytes_done = offset

        def counted(lines: Iterator[InputLine]) -> Iterator[InputLine]:
            for line in lines:
                with job.lock:
                    job.read += 1
                yield line

        lodge_lines(runtime, actor, counted(lines), job.batch_size, refused, lodged, batch_done)


def _run(runtime: Runtime, job: BulkJob, actor: Principal) -> None:
    with _ONE_AT_A_TIME:
        with job.lock:
            job.waiting = False
        try:
            with job.source_path.open("rb") as handle:
                lines = json_lines(handle, runtime.settings.max_body_bytes)
                _lodge_all(runtime, job, actor, lines)
        except Exception:
            log.exception("bulk upload %s stopped", job.id)
            failure = (
                "Lodging stopped before the end of the file. The declarations counted as "
                "lodged are stored; upload the file again to lodge the rest (those already "
                "lodged are recognised and not lodged twice)."
            )
            with job.lock:
                job.failure = failure
        finally:
            job.source_path.unlink(missing_ok=True)
            with job.lock:
                job.finished = True


def start_bulk(runtime: Runtime, actor: Principal, file_name: str, data: bytes) -> BulkJob:
    """Lodge ``data`` (JSON Lines) as ``actor`` in the background; the job to watch."""
    folder = Path(tempfile.mkdtemp(prefix="clearway-upload-"))
    job = BulkJob(
        new_id(),
        actor.username,
        file_name,
        len(data),
        runtime.context.now(),
        folder,
        batch_size=_batch_size(data),
    )
    job.source_path.write_bytes(data)
    job.refusals_path.touch()
    with _REGISTRY:
        _JOBS[job.id] = job
        finished = [other for other in _JOBS.values() if other.finished]
        for old in finished[: max(0, len(_JOBS) - KEPT_JOBS)]:
            _JOBS.pop(old.id, None)
            shutil.rmtree(old.folder, ignore_errors=True)
    threading.Thread(target=_run, args=(runtime, job, actor), daemon=True).start()
    return job


def job_of(actor: Principal, job_id: str) -> BulkJob:
    """The user's own upload (the job itself; pages render its ``snapshot``); another user's
    does not exist for them."""
    with _REGISTRY:
        job = _JOBS.get(job_id)
    if job is None or job.owner != actor.username:
        raise NotFound("no such upload of yours (uploads are kept until the server restarts)")
    return job
