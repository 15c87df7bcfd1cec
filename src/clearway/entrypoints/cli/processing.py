"""``clearway process FILE.jsonl``: lodge a file in bulk with a progress bar, on one core or
several, integrate what it lodged into the ledger, and summarise the outcomes."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from clearway.bootstrap import Runtime
from clearway.config import InsecureSettings
from clearway.domain.access import Principal
from clearway.entrypoints.cli.bulk import BulkSummary, process_file, skipped_stages
from clearway.entrypoints.cli.bulk_workers import bulk_workers
from clearway.entrypoints.cli.output import make_console


def process_jsonl(
    runtime: Runtime,
    file: Path,
    rejects: Path,
    actor: Principal,
    *,
    batch_size: int,
    workers: int,
    ledger: bool,
    progress_console: Console,
) -> None:
    """Lodge every line of ``file``, refusals to ``rejects``; then, with ``ledger`` and a
    signing key configured, integrate the events into the ledger."""
    screen = make_console()
    for warning in skipped_stages(runtime):
        screen.print(f"warning: {warning}", style="yellow", markup=False, highlight=False)
    columns = (
        TextColumn("[bold]lodging"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    # The workers are forked before the progress bar starts its thread.
    with (
        bulk_workers(runtime, actor, workers) as pool,
        Progress(*columns, console=progress_console, transient=True) as bar,
        rejects.open("wb") as out,
    ):
        task = bar.add_task("lodging", total=file.stat().st_size)
        summary = process_file(
            runtime,
            file,
            out,
            actor,
            batch_size=batch_size,
            progress=lambda offset: bar.update(task, completed=offset),
            workers=pool,
        )
    cores = f" on {workers} worker processes" if workers > 1 else ""
    screen.print(
        f"{file.name}: {summary.read} declarations in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f}/s){cores}, peak memory {_peak_mib(workers):.0f} MiB",
        highlight=False,
    )
    if ledger:
        screen.print(_integrate(runtime), highlight=False)
    screen.print(_outcomes(summary))
    if summary.rejected:
        screen.print(f"reasons for each refusal: {rejects}", highlight=False)


def _peak_mib(workers: int) -> float:
    """The command's peak resident memory; with workers, theirs added (the largest one's
    times their number: the kernel keeps the largest child's peak only)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if workers > 1:
        peak += workers * resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024


def _integrate(runtime: Runtime) -> str:
    """Integrate the outbox into the ledger; what was done, or why not, in a line."""
    from clearway.entrypoints.ledger_worker import settings_ledger_store

    try:
        store = settings_ledger_store(runtime.engine, runtime.settings)
    except InsecureSettings as error:
        return f"ledger: not integrated ({error}); clearway ledger integrate does it later"
    started = time.perf_counter()
    added = store.integrate_all()
    seconds = time.perf_counter() - started
    rate = f" ({added / seconds:,.0f}/s)" if added and seconds else ""
    return f"ledger: {added} events integrated in {seconds:.1f} s{rate}"


def _outcomes(summary: BulkSummary) -> Table:
    table = Table()
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("lodged", str(summary.accepted))
    for outcome, times in sorted(summary.outcomes.items()):
        table.add_row(f"  {outcome}", str(times))
    table.add_row("already lodged", str(summary.replayed))
    table.add_row("rejected", str(summary.rejected))
    for code, times in summary.reasons.most_common(10):
        table.add_row(f"  {code}", str(times))
    return table
