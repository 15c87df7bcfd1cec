"""The customs standards on the command line: lodging WCO DEC-DMS files, processing a folder
of them, and converting between Clearway's JSON and DEC-DMS XML."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from clearway.adapters.json_input import JsonInputError, parse_json
from clearway.adapters.messages.dec_dms_read import DecDmsUnmappable, read_declaration
from clearway.adapters.messages.dec_dms_write import write_declaration
from clearway.adapters.messages.dms_notifications import parse_notification
from clearway.adapters.messages.dms_schemas import validate_declaration
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from clearway.bootstrap import Runtime
from clearway.config import Settings
from clearway.domain.access import Principal
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.dec_dms_exchange import Exchange, receive
from clearway.entrypoints.schemas import DECLARATION, schema_violations, to_document

XML_SUFFIXES = frozenset({".xml"})


def is_message_file(path: Path) -> bool:
    """A WCO DEC-DMS file, by its name."""
    return path.suffix.lower() in XML_SUFFIXES


@dataclass(frozen=True, slots=True)
class MessageAnswer:
    """What a DEC-DMS file got: its one-line summary and the problems, if refused."""

    accepted: bool
    summary: str
    problems: tuple[str, ...] = ()


def answer_of(exchange: Exchange) -> MessageAnswer:
    """A DEC-DMS exchange as the command line reports it."""
    record = exchange.record
    if record is not None and exchange.status in {200, 201}:
        state = record.status.value if exchange.created or exchange.status == 200 else ""
        return MessageAnswer(True, f"{record.mrn} {state} (id {record.id})")
    if exchange.status == 400:
        return MessageAnswer(False, "refused: the message cannot be read", (_error_text(exchange),))
    notification = parse_notification(exchange.answer)
    problems = tuple(
        f"{error.validation_code} {error.description}" for error in notification.errors
    )
    return MessageAnswer(False, f"refused ({notification.kind.name})", problems)


def _error_text(exchange: Exchange) -> str:
    root = parse_xml(exchange.answer)
    parts = [root.findtext("message") or ""]
    parts += [e.findtext("message") or "" for e in root.iterfind("errors/error")]
    return "; ".join(part for part in parts if part)


def lodge_message_files(
    runtime: Runtime, paths: list[Path], actor: Principal, answers: Path | None = None
) -> Iterator[tuple[Path, MessageAnswer]]:
    """Lodge DEC-DMS files one at a time, answering each; with ``answers``, the DMS
    notification of each is written there as ``<file>.answer.xml``."""
    limit = runtime.settings.max_body_bytes
    for path in paths:
        size = path.stat().st_size
        if size > limit:
            yield path, MessageAnswer(False, f"refused: {size:,} bytes; the limit is {limit:,}")
            continue
        exchange = receive(path.read_bytes(), actor, runtime)
        if answers is not None:
            (answers / f"{path.stem}.answer.xml").write_bytes(exchange.answer)
        yield path, answer_of(exchange)


def convert(
    source: Annotated[Path, typer.Argument(help="A declaration: JSON or DEC-DMS XML")],
    target: Annotated[
        Path | None, typer.Argument(help="Where to write it (default: standard output)")
    ] = None,
) -> None:
    """Convert a declaration between Clearway's JSON and WCO DEC-DMS XML (by the source's
    suffix: .json becomes XML, .xml becomes JSON)."""
    if not source.is_file():
        fail(f"no such file: {source}")
    settings = Settings()
    content = source.read_bytes()
    if len(content) > settings.max_body_bytes:
        fail(f"{source} is {len(content):,} bytes; the limit is {settings.max_body_bytes:,}")
    if is_message_file(source):
        converted = _xml_to_json(content, source, settings)
    else:
        converted = _json_to_xml(content, source)
    if target is None:
        typer.echo(converted.decode("utf-8"), nl=False)
    else:
        target.write_bytes(converted)


def _xml_to_json(content: bytes, source: Path, settings: Settings) -> bytes:
    try:
        root = parse_xml(content)
        validate_declaration(root)
        received = read_declaration(
            root, country=settings.country, national_office=settings.national_office
        )
        model = DECLARATION.validate_python(received.wire)
    except XmlRefused as refused:
        fail(f"{source}: {refused.reason.replace('_', ' ')}: {refused.detail}")
    except DecDmsUnmappable as unmappable:
        fail(f"{source}: {unmappable}")
    except ValidationError as error:
        first = schema_violations(error)[0]
        fail(f"{source}: {first.pointer}: {first.message} ({len(error.errors())} problems)")
    return (json.dumps(to_document(model), indent=2, ensure_ascii=False) + "\n").encode()


def _json_to_xml(content: bytes, source: Path) -> bytes:
    try:
        document = parse_json(content, subject=str(source))
        model = DECLARATION.validate_python(document)
    except JsonInputError as error:
        fail(f"{source}: {error.detail}")
    except ValueError as error:
        if isinstance(error, ValidationError):
            first = schema_violations(error)[0]
            fail(f"{source}: {first.pointer}: {first.message} ({len(error.errors())} problems)")
        fail(f"{source}: not JSON ({error})")
    return write_declaration(to_document(model))


def process_folder(runtime: Runtime, folder: Path, rejects: Path | None, actor: Principal) -> None:
    """Lodge every DEC-DMS file of a folder (``*.xml``, in name order) and summarise; the
    refusals go to ``rejects`` as JSON Lines (file, problems)."""
    files = sorted(path for path in folder.iterdir() if path.is_file() and is_message_file(path))
    if not files:
        fail(f"{folder} holds no .xml file")
    rejects = rejects or folder / "rejected.jsonl"
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    with rejects.open("w", encoding="utf-8") as out:
        for path, answer in lodge_message_files(runtime, files, actor):
            counts["lodged" if answer.accepted else "rejected"] += 1
            if not answer.accepted:
                entry = {"file": path.name, "summary": answer.summary, "problems": answer.problems}
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - started
    screen = make_console()
    screen.print(
        f"{folder}: {len(files)} messages in {seconds:.1f} s: {counts['lodged']} lodged, "
        f"{counts['rejected']} rejected",
        highlight=False,
    )
    if counts["rejected"]:
        screen.print(f"reasons for each refusal: {rejects}", highlight=False)
