"""Bulk lodging from JSON Lines: parse, lodge in batches, count and explain refusals."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import ValidationError

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError, ValidationFailed
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord
from clearway.domain.rules import Violation
from clearway.entrypoints.schemas import parse_declaration, schema_violations
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations


@dataclass
class BulkSummary:
    read: int = 0
    accepted: int = 0
    replayed: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    """Declarations lodged, by where clearance left them (``clearance_outcome``)."""
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


_CHECKS = {"yellow": "document check", "red": "physical inspection"}


def clearance_outcome(record: DeclarationRecord) -> str:
    """Where clearance left a lodged declaration, as a trader reads it: released (and in which
    lane), held (for which check), referred to the agency, or accepted but not assessed."""
    lane = (record.risk or {}).get("lane")
    if record.status is Status.RELEASED:
        audit = ", post-clearance audit to follow" if lane == "blue" else ""
        return f"released ({lane or 'by an officer'} lane{audit})"
    if record.status is Status.HELD:
        if record.referral is not None and record.referral.is_open:
            return "referred to the export-control agency"
        return f"held ({lane} lane: {_CHECKS.get(str(lane), 'check')})"
    if record.status is Status.ACCEPTED:
        return "accepted, not assessed (no tariff loaded)"
    return record.status.value


def skipped_stages(runtime: Runtime) -> list[str]:
    """What clearance cannot do with the reference data loaded, one warning a stage."""
    context = runtime.context
    warnings = []
    if not len(context.tariff):
        warnings.append(
            "no tariff is loaded: duty, risk and lane are skipped and declarations stay "
            "accepted (clearway tariff load-uk DIR or load-csv FILE)"
        )
    if not context.screening.name_count:
        warnings.append(
            "no sanctions lists are loaded: parties are not screened (clearway screening load)"
        )
    if not context.control_list.entries:
        warnings.append(
            "no control list is loaded: export items are not checked against it "
            "(clearway control-list load)"
        )
    if context.risk.model is None:
        warnings.append(
            "no risk model is active: declarations are laned by criteria and random sampling "
            "only, without a score (clearway risk train, then clearway risk promote N)"
        )
    return warnings


def _lines(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """Non-blank lines with their number and the byte offset after them."""
    with path.open("rb") as handle:
        offset = 0
        for number, line in enumerate(handle, start=1):
            offset += len(line)
            if line.strip():
                yield number, line, offset


def _reject(
    out: IO[bytes], number: int, lrn: str | None, violations: list[Violation], detail: str
) -> None:
    out.write(
        orjson.dumps(
            {
                "line": number,
                "lrn": lrn,
                "detail": detail,
                "errors": [
                    {"code": v.code, "pointer": v.pointer, "detail": v.message} for v in violations
                ],
            }
        )
        + b"\n"
    )


def process_file(
    runtime: Runtime,
    path: Path,
    rejects: IO[bytes],
    actor: Principal,
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] = lambda _offset: None,
) -> BulkSummary:
    """Lodge every declaration in a JSON Lines file; refusals go to ``rejects`` as JSON Lines."""
    summary = BulkSummary()
    started = time.perf_counter()

    def refused(refusal: LineRefused) -> None:
        summary.rejected += 1
        summary.reasons.update({v.code for v in refusal.violations} or {refusal.detail})
        _reject(rejects, refusal.number, refusal.lrn, list(refusal.violations), refusal.detail)

    def lodged(outcome: Lodged) -> None:
        if outcome.created:
            summary.accepted += 1
            summary.outcomes[clearance_outcome(outcome.record)] += 1
        else:
            summary.replayed += 1

    def counted(lines: Iterator[tuple[int, bytes, int]]) -> Iterator[tuple[int, bytes, int]]:
        for line in lines:
            summary.read += 1
            yield line

    lodge_lines(runtime, actor, counted(_lines(path)), batch_size, refused, lodged, progress)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass(frozen=True, slots=True)
class LineRefused:
    """A line of a bulk file that was not lodged: its schema violations (``parse_error`` set)
    or the pipeline's refusal."""

    number: int
    lrn: str | None
    detail: str
    violations: tuple[Violation, ...]
    parse_error: ValidationError | None = None


def lodge_lines(
    runtime: Runtime,
    actor: Principal,
    lines: Iterable[tuple[int, bytes, int]],
    batch_size: int,
    refused: Callable[[LineRefused], None],
    lodged: Callable[[Lodged], None],
    batch_done: Callable[[int], None] = lambda _offset: None,
) -> None:
    """Lodge JSON Lines ``(number, line, offset after it)`` as ``actor`` a batch at a time,
    answering every line in order: ``lodged`` or ``refused``; ``batch_done`` with the offset
    reached after each batch. The ``clearway process`` command and the portal's bulk upload."""
    # Each entry is a command to lodge, or the schema error of a line that did not parse;
    # both are answered in line order when the batch is flushed.
    batch: list[tuple[int, str | None, LodgeDeclaration | ValidationError]] = []

    def flush() -> None:
        # Rates, rules, lists or a model changed by the API or another command meanwhile
        # apply from this batch on.
        runtime.sync()
        commands = [entry for _, _, entry in batch if isinstance(entry, LodgeDeclaration)]
        outcomes = iter(lodge_declarations(commands, runtime.uow(), runtime.context))
        for number, lrn, entry in batch:
            if not isinstance(entry, LodgeDeclaration):
                violations = tuple(schema_violations(entry))
                refused(
                    LineRefused(number, lrn, "the declaration does not parse", violations, entry)
                )
                continue
            outcome = next(outcomes)
            if isinstance(outcome, Lodged):
                lodged(outcome)
            else:
                violations = (
                    tuple(outcome.violations) if isinstance(outcome, ValidationFailed) else ()
                )
                refused(LineRefused(number, lrn, outcome.detail, violations))
        batch.clear()

    offset = 0
    for number, line, offset in lines:
        try:
            parsed = parse_declaration(line)
        except ValidationError as error:
            batch.append((number, lrn_of(line), error))
        else:
            command = LodgeDeclaration(parsed.declaration, parsed.document, actor)
            batch.append((number, parsed.declaration.lrn, command))
        if len(batch) >= batch_size:
            flush()
            batch_done(offset)
    if batch:
        flush()
        batch_done(offset)


def lrn_of(line: bytes) -> str | None:
    try:
        document: Any = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    lrn = document.get("lrn") if isinstance(document, dict) else None
    return lrn if isinstance(lrn, str) else None


def lodge_files(
    runtime: Runtime, paths: list[Path], actor: Principal
) -> Iterator[tuple[Path, Lodged | ClearwayError]]:
    """Lodge declarations from JSON files, one at a time, answering each."""
    for path in paths:
        try:
            parsed = parse_declaration(path.read_bytes())
        except ValidationError as error:
            yield path, ValidationFailed(schema_violations(error))
            continue
        command = LodgeDeclaration(parsed.declaration, parsed.document, actor)
        (outcome,) = lodge_declarations([command], runtime.uow(), runtime.context)
        yield path, outcome
