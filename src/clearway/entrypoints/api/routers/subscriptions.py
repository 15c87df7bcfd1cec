"""Subscriptions to the event stream (webhooks and NATS JetStream), kept by administrators; the
relay delivers to them (see docs/events.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.publishing_store import SqlAlchemySubscriptionStore
from clearway.domain.access import Action
from clearway.domain.subscriptions import SubscriptionKind
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.services.publishing import (
    AddSubscription,
    SubscriptionStatus,
    add_subscription,
    remove_subscription,
    set_subscription_active,
    subscription_status,
)

router = APIRouter(
    prefix="/api/v1/subscriptions",
    tags=["subscriptions"],
    route_class=JsonBodyRoute,
    dependencies=[require(Action.MANAGE_SUBSCRIPTIONS)],
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        401: "Not authenticated",
        403: "Only administrators manage subscriptions",
        404: "No such subscription",
        422: "A bad URL, subject prefix, secret or event type, each with a JSON pointer",
    }.items()
}

SubscriptionId = Annotated[str, Path(max_length=36, description="The subscription's id")]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120, examples=["border agency"])]
    kind: SubscriptionKind
    url: Annotated[str | None, Field(max_length=2000)] = Field(
        default=None,
        description="Webhooks: where each event is POSTed (http or https)",
        examples=["https://agency.example/clearway/events"],
    )
    secret: Annotated[str | None, Field(max_length=128)] = Field(
        default=None,
        description="Webhooks: the signing secret (whsec_ and base64 of 24 to 64 bytes); "
        "generated and shown once in the answer when left out",
    )
    subject_prefix: Annotated[str | None, Field(max_length=100)] = Field(
        default=None,
        description="NATS: the first tokens of every subject (default clearway)",
        examples=["clearway"],
    )
    event_types: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=100)] = (
        Field(
            default_factory=list,
            description="Only these event types (e.g. DeclarationReleased); empty for every type",
        )
    )
    active: bool = True
    from_start: bool = Field(
        default=False, description="Deliver every event already stored too, not only new ones"
    )


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(
        description="false pauses delivery (events wait in the outbox); true resumes it and "
        "tries a failing delivery again at once"
    )


class DeliveryPublic(BaseModel):
    cursor: int = Field(description="Sequence of the last event delivered or filtered out")
    lag: int = Field(description="Events stored after the cursor")
    attempts: int = Field(description="Failed attempts at the next event since the last success")
    next_attempt_at: dt.datetime | None
    last_error: str | None
    last_delivered_at: dt.datetime | None


class SubscriptionPublic(BaseModel):
    id: str
    name: str
    kind: SubscriptionKind
    url: str | None
    subject_prefix: str | None
    event_types: list[str]
    active: bool
    created_at: dt.datetime
    created_by: str
    delivery: DeliveryPublic


class SubscriptionCreated(SubscriptionPublic):
    secret: str | None = Field(description="Webhooks: the signing secret, shown this once only")


def _public(found: SubscriptionStatus) -> SubscriptionPublic:
    subscription, delivery = found.subscription, found.delivery
    return SubscriptionPublic(
        id=subscription.id,
        name=subscription.name,
        kind=subscription.kind,
        url=subscription.url,
        subject_prefix=subscription.subject_prefix,
        event_types=list(subscription.event_types),
        active=subscription.active,
        created_at=subscription.created_at,
        created_by=subscription.created_by,
        delivery=DeliveryPublic(
            cursor=delivery.last_sequence,
            lag=found.lag,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error,
            last_delivered_at=delivery.last_delivered_at,
        ),
    )


@router.post(
    "",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
)
def create_subscription(
    body: Annotated[SubscriptionCreate, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
) -> SubscriptionCreated:
    """Subscribe a webhook or a NATS subject prefix to the event stream; delivery starts with
    the next event (or with the first stored, ``from_start``)."""
    store = SqlAlchemySubscriptionStore(runtime.engine)
    command = AddSubscription(
        name=body.name,
        kind=body.kind,
        actor=principal.username,
        url=body.url,
        secret=body.secret,
        subject_prefix=body.subject_prefix,
        event_types=body.event_types,
        active=body.active,
        from_start=body.from_start,
    )
    subscription = add_subscription(command, store, runtime.context.now())
    response.headers["Location"] = f"{router.prefix}/{subscription.id}"
    public = _public(subscription_status(subscription.id, store))
    return SubscriptionCreated(**public.model_dump(), secret=subscription.secret)


@router.get("", response_model=list[SubscriptionPublic], responses=PROBLEMS)
def list_subscriptions(runtime: RuntimeDep) -> list[SubscriptionPublic]:
    """Every subscription with its delivery state, oldest first."""
    return [_public(found) for found in SqlAlchemySubscriptionStore(runtime.engine).statuses()]


@router.get("/{subscription_id}", response_model=SubscriptionPublic, responses=PROBLEMS)
def get_subscription(subscription_id: SubscriptionId, runtime: RuntimeDep) -> SubscriptionPublic:
    """One subscription: its cursor, lag, failed attempts, last error and next attempt."""
    return _public(
        subscription_status(subscription_id, SqlAlchemySubscriptionStore(runtime.engine))
    )


@router.patch("/{subscription_id}", response_model=SubscriptionPublic, responses=PROBLEMS)
def update_subscription(
    subscription_id: SubscriptionId,
    body: Annotated[SubscriptionUpdate, Body()],
    runtime: RuntimeDep,
) -> SubscriptionPublic:
    """Pause or resume a subscription."""
    store = SqlAlchemySubscriptionStore(runtime.engine)
    return _public(set_subscription_active(subscription_id, body.active, store))


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=PROBLEMS,
)
def delete_subscription(subscription_id: SubscriptionId, runtime: RuntimeDep) -> None:
    """Stop delivering to a subscription and forget it."""
    remove_subscription(subscription_id, SqlAlchemySubscriptionStore(runtime.engine))
