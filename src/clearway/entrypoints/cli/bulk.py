"""Bulk lodging from JSON Lines: parse, lodge in batches, count and explain refusals.

Every line goes through ``parse_json`` (UTF-8, no duplicate keys, exact numbers) and is held
at most to the size of an API body (``max_body_bytes``): a longer line is refused by its
number and size without being read into memory.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from clearway.adapters.json_input import (
    JsonInputError,
    JsonLine,
    LineTooLong,
    as_problem,
    json_lines,
    parse_json,
)
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError, PayloadTooLarge, ValidationFailed
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord
from clearway.domain.rules import Violation
from clearway.entrypoints.schemas import ParsedDeclaration, parse_declaration, schema_violations
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations

if TYPE_CHECKING:
    from clearway.entrypoints.cli.bulk_workers import Workers


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
    workers: Workers | None = None,
) -> BulkSummary:
    """Lodge every declaration in a JSON Lines file; refusals go to ``rejects`` as JSON Lines.
    Batches are lodged on ``workers`` when given."""
    summary = BulkSummary()
    started = time.perf_counter()

    def refused(refusal: LineRefused) -> None:
        summary.rejected += 1
        summary.reasons.update({v.code for v in refusal.violations} or {refusal.detail})
        _reject(rejects, refusal.number, refusal.lrn, list(refusal.violations), refusal.detail)

    def lodged(line: LineLodged) -> None:
        if line.created:
            summary.accepted += 1
            summary.outcomes[line.outcome] += 1
        else:
            summary.replayed += 1

    def counted(lines: Iterator[InputLine]) -> Iterator[InputLine]:
        for line in lines:
            summary.read += 1
            yield line

    with path.open("rb") as handle:
        lines = json_lines(handle, runtime.settings.max_body_bytes)
        lodge_lines(
            runtime,
            actor,
            counted(lines),
            batch_size,
            refused,
            lodged,
            progress,
            workers=workers,
        )
    summary.seconds = time.perf_counter() - started
    return summary


InputLine = JsonLine | LineTooLong


@dataclass(frozen=True, slots=True)
class LineLodged:
    """A line of a bulk file that was lodged (``created``) or found lodged already, and where
    clearance left its declaration (``clearance_outcome``)."""

    number: int
    created: bool
    outcome: str
    mrn: str | None


@dataclass(frozen=True, slots=True)
class LineRefused:
    """A line of a bulk file that was not lodged: its schema violations (``parse_error`` set)
    or the pipeline's refusal."""

    number: int
    lrn: str | None
    detail: str
    violations: tuple[Violation, ...]
    parse_error: ValidationError | None = None


def parse_document(data: bytes, subject: str) -> ParsedDeclaration:
    """The declaration in a file or line. Raises ``JsonInputError`` when the JSON is refused
    before it is read (not UTF-8, a duplicate key; ``subject`` names the text), else
    ``pydantic.ValidationError`` (syntax included, as the schema reports it)."""
    try:
        document = parse_json(data, subject=subject)
    except JsonInputError:
        raise
    except (ValueError, RecursionError):
        document = None  # parse_declaration explains the syntax error as the schema does
    # Only an object is passed as parsed: anything else is refused by the schema from its text.
    return parse_declaration(document if isinstance(document, dict) else data)


def parse_line(line: InputLine) -> ParsedDeclaration | LineRefused:
    """The declaration on a line, or why the line is refused: over the size limit, not UTF-8,
    a duplicate key, or not a declaration (schema errors)."""
    if isinstance(line, LineTooLong):
        return _refusal(line.number, None, "JSON.line_too_long", "", line.detail)
    try:
        return parse_document(line.data, f"line {line.number}")
    except JsonInputError as error:
        lrn = None if error.pointer == "/lrn" else lrn_of(line.data)
        return _refusal(line.number, lrn, error.code, error.pointer, error.detail)
    except ValidationError as error:
        violations = tuple(schema_violations(error))
        return LineRefused(
            line.number, lrn_of(line.data), "the declaration does not parse", violations, error
        )


def _refusal(number: int, lrn: str | None, code: str, pointer: str, detail: str) -> LineRefused:
    return LineRefused(number, lrn, detail, (Violation(code, pointer, detail),))


Prepared = list[tuple[int, "LodgeDeclaration | LineRefused"]]
"""A batch ready to lodge: each line's number and its command, or why the line is refused."""


def prepare_lines(runtime: Runtime, actor: Principal, lines: Iterable[InputLine]) -> Prepared:
    """Each line's command to lodge as ``actor``, or its refusal."""
    prepared: Prepared = []
    for line in lines:
        parsed = parse_line(line)
        if not isinstance(parsed, ParsedDeclaration):
            prepared.append((line.number, parsed))
            continue
        prepared.append((line.number, LodgeDeclaration(parsed.declaration, parsed.document, actor)))
    return prepared


def batched_lines(lines: Iterable[InputLine], size: int) -> Iterator[tuple[list[InputLine], int]]:
    """The lines ``size`` at a time, each batch with the offset reached at its end."""
    batch: list[InputLine] = []
    offset = 0
    for line in lines:
        batch.append(line)
        offset = line.end
        if len(batch) >= size:
            yield batch, offset
            batch = []
    if batch:
        yield batch, offset


def lodge_lines(
    runtime: Runtime,
    actor: Principal,
    lines: Iterable[InputLine],
    batch_size: int,
    refused: Callable[[LineRefused], None],
    lodged: Callable[[LineLodged], None],
    batch_done: Callable[[int], None] = lambda _offset: None,
    *,
    workers: Workers | None = None,
) -> None:
    """Lodge JSON Lines (from ``json_lines``) as ``actor`` a batch at a time, answering every
    line in order: ``lodged`` or ``refused``; ``batch_done`` with the offset reached after
    each batch. On ``workers``, when given, batches are lodged in worker processes, several
    at once. The ``clearway process`` command and the portal's bulk upload."""
    batches = batched_lines(lines, batch_size)
    if workers is not None:
        for answers, offset in workers.lodge(batches):
            for answer in answers:
                (lodged if isinstance(answer, LineLodged) else refused)(answer)  # type: ignore[arg-type]
            batch_done(offset)
        return
    for batch, offset in batches:
        lodge_prepared(runtime, prepare_lines(runtime, actor, batch), refused, lodged)
        batch_done(offset)


def lodge_prepared(
    runtime: Runtime,
    batch: Prepared,
    refused: Callable[[LineRefused], None],
    lodged: Callable[[LineLodged], None],
) -> None:
    """Lodge a prepared batch in one transaction and answer each line in order."""
    # Rates, rules, lists or a model changed by the API or another command meanwhile apply
    # from this batch on.
    runtime.sync()
    commands = [entry for _, entry in batch if isinstance(entry, LodgeDeclaration)]
    outcomes = iter(lodge_declarations(commands, runtime.uow(), runtime.context))
    for number, entry in batch:
        if isinstance(entry, LineRefused):
            refused(entry)
            continue
        outcome = next(outcomes)
        if isinstance(outcome, Lodged):
            record = outcome.record
            lodged(LineLodged(number, outcome.created, clearance_outcome(record), record.mrn))
        else:
            violations = tuple(outcome.violations) if isinstance(outcome, ValidationFailed) else ()
            refused(LineRefused(number, entry.declaration.lrn, outcome.detail, violations))


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
    """Lodge declarations from JSON files, one at a time, answering each. A file is held to
    the size of an API body (``max_body_bytes``) and parsed as one (``parse_json``)."""
    limit = runtime.settings.max_body_bytes
    for path in paths:
        size = path.stat().st_size
        if size > limit:
            yield path, PayloadTooLarge(f"the file is {size:,} bytes; the limit is {limit:,}")
            continue
        try:
            parsed = parse_document(path.read_bytes(), "the file")
        except JsonInputError as error:
            yield path, as_problem(error)
            continue
        except ValidationError as error:
            yield path, ValidationFailed(schema_violations(error))
            continue
        command = LodgeDeclaration(parsed.declaration, parsed.document, actor)
        (outcome,) = lodge_declarations([command], runtime.uow(), runtime.context)
        yield path, outcome
