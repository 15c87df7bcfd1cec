"""``clearway relay`` publishes the outbox to subscribers; ``clearway subscriptions …`` keeps
the subscriptions (webhooks and NATS JetStream subject prefixes)."""

from __future__ import annotations

import getpass
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.adapters.publishing_store import SqlAlchemySubscriptionStore
from clearway.config import get_settings
from clearway.domain.errors import ClearwayError
from clearway.domain.events import utc_now
from clearway.domain.subscriptions import SubscriptionKind
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.cli.runtime import opened_runtime
from clearway.entrypoints.relay_worker import build_relay
from clearway.services.publishing import (
    BATCH_SIZE,
    AddSubscription,
    add_subscription,
    remove_subscription,
    set_subscription_active,
)

subscriptions_app = typer.Typer(
    help="Subscriptions to the event stream: webhooks and NATS JetStream.", no_args_is_help=True
)
console = make_console(stderr=True)


@contextmanager
def _store() -> Iterator[SqlAlchemySubscriptionStore]:
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        yield SqlAlchemySubscriptionStore(engine)
    finally:
        engine.dispose()


def relay(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.05, help="Seconds between passes over the outbox")
    ] = 1.0,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = BATCH_SIZE,
) -> None:
    """Publish stored events to subscribers, in order, until stopped (Ctrl-C or SIGTERM).

    With --once, deliver what is due now and exit, non-zero if a subscription failed.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("clearway").setLevel(logging.INFO)
    with opened_runtime() as runtime:
        worker = build_relay(runtime, batch_size=batch_size)
        try:
            if once:
                report = worker.run_once()
                console.print(f"delivered {report.delivered} events", highlight=False)
                for subscription_id, error in report.errors.items():
                    console.print(f"subscription {subscription_id}: {error}", highlight=False)
                if report.failures:
                    raise typer.Exit(code=1)
                return
            signal.signal(signal.SIGTERM, lambda *_: worker.stop())
            console.print(f"relaying every {interval:g} s; Ctrl-C stops", highlight=False)
            try:
                worker.run_forever(interval)
            except KeyboardInterrupt:
                worker.stop()
        finally:
            worker.close()


@subscriptions_app.command("add")
def subscriptions_add(
    name: Annotated[str, typer.Argument(help="What the subscriber is, e.g. 'border agency'")],
    webhook: Annotated[str | None, typer.Option(help="Deliver to this URL (http or https)")] = None,
    nats: Annotated[bool, typer.Option("--nats", help="Publish to NATS JetStream")] = False,
    subject_prefix: Annotated[
        str | None, typer.Option(help="NATS: first tokens of every subject (default clearway)")
    ] = None,
    secret: Annotated[
        str | None, typer.Option(help="Webhook: whsec_… signing secret (default: generated)")
    ] = None,
    event_type: Annotated[
        list[str] | None,
        typer.Option("--event-type", help="Only this event type (repeat for more; none: all)"),
    ] = None,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Deliver the events already stored too")
    ] = False,
) -> None:
    """Subscribe a webhook (--webhook URL) or NATS JetStream (--nats).

    Prints the new subscription's id and, for a webhook, its signing secret this once.
    """
    if (webhook is None) == (not nats):
        fail("give either --webhook URL or --nats")
    command = AddSubscription(
        name=name,
        kind=SubscriptionKind.NATS if nats else SubscriptionKind.WEBHOOK,
        actor=f"cli:{getpass.getuser()}",
        url=webhook,
        secret=secret,
        subject_prefix=subject_prefix,
        event_types=event_type or (),
        from_start=from_start,
    )
    try:
        with _store() as store:
            subscription = add_subscription(command, store, utc_now())
    except ClearwayError as error:
        details = [f"{v.pointer}: {v.message}" for v in getattr(error, "violations", [])]
        fail("; ".join(details) or error.detail)
    typer.echo(subscription.id)
    if subscription.secret is not None and secret is None:
        console.print("signing secret (shown this once):", highlight=False)
        typer.echo(subscription.secret)


@subscriptions_app.command("list")
def subscriptions_list() -> None:
    """Every subscription with its delivery cursor, lag and last error."""
    with _store() as store:
        statuses = store.statuses()
    table = Table()
    for column in ("id", "name", "to", "events", "active", "cursor", "lag", "attempts", "error"):
        table.add_column(column)
    for found in statuses:
        subscription, delivery = found.subscription, found.delivery
        target = subscription.url or f"nats {subscription.subject_prefix}.>"
        table.add_row(
            subscription.id,
            subscription.name,
            target,
            ", ".join(subscription.event_types) or "all",
            "yes" if subscription.active else "no",
            str(delivery.last_sequence),
            str(found.lag),
            str(delivery.attempts),
            delivery.last_error or "",
        )
    make_console().print(table)


@subscriptions_app.command("remove")
def subscriptions_remove(
    subscription_id: Annotated[str, typer.Argument(help="The subscription's id")],
) -> None:
    """Stop delivering to a subscription and forget it."""
    try:
        with _store() as store:
            remove_subscription(subscription_id, store)
    except ClearwayError as error:
        fail(error.detail)
    console.print(f"removed {subscription_id}", highlight=False)


def _set_active(subscription_id: str, active: bool) -> None:
    try:
        with _store() as store:
            set_subscription_active(subscription_id, active, store)
    except ClearwayError as error:
        fail(error.detail)
    console.print(f"{'resumed' if active else 'paused'} {subscription_id}", highlight=False)


@subscriptions_app.command("pause")
def subscriptions_pause(
    subscription_id: Annotated[str, typer.Argument(help="The subscription's id")],
) -> None:
    """Stop delivering to a subscription for now; its events wait in the outbox."""
    _set_active(subscription_id, False)


@subscriptions_app.command("resume")
def subscriptions_resume(
    subscription_id: Annotated[str, typer.Argument(help="The subscription's id")],
) -> None:
    """Deliver to a subscription again, trying a failed delivery at once."""
    _set_active(subscription_id, True)
