"""The witness's side of the ledger API over HTTP: one round of fetching the newest
checkpoint and a consistency proof from a Clearway log, cosigning, and sending the cosignature
back (the checks themselves are ``clearway.services.ledger.witness``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx

import clearway
from clearway.domain.events import utc_now
from clearway.domain.ledger import LedgerError, VerifierKey
from clearway.services.ledger.signing import SigningKey
from clearway.services.ledger.witness import (
    Cosigned,
    WitnessRefusal,
    WitnessState,
    check_log_key,
    cosign,
    load_state,
    needs_proof,
    save_state,
    signed_checkpoint,
)

API = "/api/v1/ledger"
# Seconds to wait for the log's answer (and at most a quarter of that to connect).
HTTP_TIMEOUT = 30.0


class LedgerHttpError(RuntimeError):
    """The log could not be reached, or answered something other than the contract."""


def log_client(url: str) -> httpx.Client:
    """An HTTP client for the Clearway server at ``url``."""
    return httpx.Client(
        base_url=url,
        timeout=httpx.Timeout(HTTP_TIMEOUT, connect=HTTP_TIMEOUT / 4),
        follow_redirects=False,
        headers={"user-agent": f"Clearway-witness/{clearway.__version__}"},
    )


def _answer(response: httpx.Response) -> str:
    """What a failed answer says: its problem+json detail, or the start of its body."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        said = problem.get("detail") or problem.get("title")
        if said:
            return str(said)
    return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""


def _request(client: httpx.Client, method: str, path: str, **options: Any) -> httpx.Response:
    try:
        response = client.request(method, path, **options)
    except httpx.HTTPError as error:
        raise LedgerHttpError(f"{method} {client.base_url.join(path)}: {error}") from None
    if not response.is_success:
        raise LedgerHttpError(
            f"{method} {response.url} answered {response.status_code}: {_answer(response)}"
        )
    return response


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        raise LedgerHttpError(f"{response.url} did not answer JSON") from None
    if not isinstance(document, dict):
        raise LedgerHttpError(f"{response.url} did not answer a JSON object")
    return document


def _first_state(client: httpx.Client, pinned: VerifierKey | None) -> WitnessState:
    """A witness's first run: the log's origin and key as served, unless a key is pinned."""
    served = _json(_request(client, "GET", f"{API}/key"))
    origin, text = served.get("origin"), served.get("verifier_key")
    if not isinstance(origin, str) or not isinstance(text, str):
        raise LedgerHttpError(f"{API}/key did not answer an origin and a verifier_key")
    try:
        log_key = VerifierKey.parse(text)
    except LedgerError as error:
        raise LedgerHttpError(f"{API}/key answered a bad verifier key: {error}") from None
    if pinned is not None and log_key != pinned:
        raise WitnessRefusal(
            f"the log serves the key {log_key.name}+{log_key.key_id:08x}, not the pinned "
            f"{pinned.name}+{pinned.key_id:08x}"
        )
    return WitnessState.first(origin, log_key)


def _consistency_proof(client: httpx.Client, first: int, second: int) -> list[bytes]:
    answered = _json(
        _request(
            client,
            "GET",
            f"{API}/proof/consistency",
            params={"first": first, "second": second},
        )
    )
    hashes = answered.get("hashes")
    if (answered.get("first"), answered.get("second")) != (first, second) or not isinstance(
        hashes, list
    ):
        raise LedgerHttpError(f"the log answered a consistency proof for other sizes: {answered}")
    try:
        return [base64.b64decode(str(value), validate=True) for value in hashes]
    except binascii.Error:
        raise LedgerHttpError("the consistency proof's hashes are not base64") from None


def run_witness(
    client: httpx.Client,
    state_path: Path,
    witness_key: SigningKey,
    pinned_log_key: VerifierKey | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Cosigned:
    """One witness round against the log ``client`` talks to (its base URL).

    Fetch the newest checkpoint and, from the kept size, a consistency proof; cosign; keep the
    new state; send the cosignature. The state is saved before the cosignature is sent: once
    verified, the newer tree is what the witness must hold the log to, whether or not the log
    takes the cosignature. Raises ``WitnessRefusal``, ``WitnessStateError`` or
    ``LedgerHttpError``.
    """
    state = load_state(state_path)
    if state is None:
        state = _first_state(client, pinned_log_key)
    elif pinned_log_key is not None:
        check_log_key(state, pinned_log_key)
    note = _request(client, "GET", f"{API}/checkpoint").text
    checkpoint = signed_checkpoint(state, note)
    proof = (
        _consistency_proof(client, state.size, checkpoint.size)
        if needs_proof(state, checkpoint)
        else []
    )
    cosigned = cosign(state, note, proof, witness_key.cosigner(clock))
    save_state(state_path, cosigned.state)
    _request(
        client,
        "POST",
        f"{API}/cosignatures",
        content=cosigned.note.encode(),
        headers={"content-type": "text/plain; charset=utf-8"},
    )
    return cosigned
