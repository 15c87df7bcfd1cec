"""Lodgings that arrive at the same moment share one transaction (group commit).

A declaration lodged on its own pays for a whole transaction: the lookup of its LRN, its
traders' history, the lane window, the commit. In a batch those are paid once for all, which is
why ``clearway process`` lodges a thousand at a time. The desk gives the API and the portal the
same: a request that comes while another batch is being stored waits, and the requests that
gathered meanwhile are stored together in the next batch, led by the first of them. A request
that finds the desk free is lodged at once, alone: nothing waits for company.

Each request thread still does its own work that needs no database (validation, duty,
screening, its record) before it joins the queue; a batch is answered per request, in order, as
``lodge_declarations`` answers a bulk file. A batch that fails as a whole (a database error) is
tried again one request at a time, so that each request hears of its own failure only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from clearway.domain.access import lodging_refusal
from clearway.services.context import ClearanceContext
from clearway.services.lodging import (
    Lodged,
    LodgeDeclaration,
    LodgeOutcome,
    lodged_or_raised,
    prepare_checks,
)
from clearway.services.timing import timed

Command = TypeVar("Command")
Outcome = TypeVar("Outcome")

# Enough to spread a commit over the requests of a busy moment; a batch much larger would make
# the first of them wait for the last.
MOST_PER_BATCH = 64


class _Ticket(Generic[Command, Outcome]):
    __slots__ = ("command", "error", "leads", "outcome", "woken")

    def __init__(self, command: Command) -> None:
        self.command = command
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None
        self.leads = False
        self.woken = threading.Event()

    def answer(self) -> Outcome:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


class LodgingDesk(Generic[Command, Outcome]):
    """Runs ``lodge_many`` on the commands waiting together, one batch at a time, each batch
    in the thread of its first request."""

    def __init__(
        self,
        lodge_many: Callable[[Sequence[Command]], Sequence[Outcome]],
        most: int = MOST_PER_BATCH,
    ) -> None:
        self._lodge_many = lodge_many
        self._most = most
        self._lock = threading.Lock()
        self._waiting: list[_Ticket[Command, Outcome]] = []
        self._busy = False

    @property
    def queued(self) -> int:
        """How many requests wait for the batch being stored to end."""
        return len(self._waiting)

    def lodge(self, command: Command) -> Outcome:
        """The outcome of ``command``, lodged in a batch with those that came with it."""
        ticket: _Ticket[Command, Outcome] = _Ticket(command)
        with self._lock:
            self._waiting.append(ticket)
            leads = not self._busy
            self._busy = True
        if not leads:
            ticket.woken.wait()
            if not ticket.leads:
                return ticket.answer()
        self._lead()
        return ticket.answer()

    def _lead(self) -> None:
        with self._lock:
            batch = self._waiting[: self._most]
            del self._waiting[: self._most]
        try:
            self._answer(batch)
        finally:
            with self._lock:
                if self._waiting:
                    # The first who waited leads the next batch in its own thread.
                    self._waiting[0].leads = True
                    self._waiting[0].woken.set()
                else:
                    self._busy = False
            for ticket in batch:
                if ticket.outcome is None and ticket.error is None:
                    ticket.error = RuntimeError(
                        "lodging stopped before this declaration was stored"
                    )
                ticket.woken.set()

    def _answer(self, batch: list[_Ticket[Command, Outcome]]) -> None:
        try:
            outcomes = self._lodge_many([ticket.command for ticket in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].error = error
                return
            for ticket in batch:
                self._answer([ticket])
            return
        for ticket, outcome in zip(batch, outcomes, strict=True):
            ticket.outcome = outcome


def lodge_at_desk(
    command: LodgeDeclaration,
    desk: LodgingDesk[LodgeDeclaration, LodgeOutcome],
    context: ClearanceContext,
) -> Lodged:
    """Lodge one declaration in one transaction with those lodged at the same moment (the
    desk's batch); raises the refusal instead of returning it. Its checks are made first, in
    the caller's thread, while the desk stores another batch."""
    if (
        command.checked is None
        and lodging_refusal(command.actor, command.declaration.declarant.id) is None
    ):
        with timed("checks"):
            command = prepare_checks(command, context, context.now())
    return lodged_or_raised(desk.lodge(command))
