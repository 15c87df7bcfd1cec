"""The ledger as its verifiers read it (docs/ledger.md): the signed checkpoint, the log's key,
entries, inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4), a declaration's receipt,
and the witnesses who cosign.

Checkpoints, the key and proofs hold nothing but hashes and sizes, so anyone may read them;
entries hold the events themselves and need the auditor's or an administrator's role; a
receipt goes to whoever may read the declaration."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.audit_trail import read_by, record_reads
from clearway.domain.access import Action
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.ledger_worker import declaration_receipt, ledger_reader

router = APIRouter(prefix="/api/v1", tags=["ledger"], route_class=JsonBodyRoute)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        400: "Sizes or indexes the log cannot prove",
        404: "Nothing logged yet",
        503: "No ledger signing key is configured",
    }.items()
}
Size = Annotated[int, Query(ge=0, le=2**63 - 1)]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


class LedgerKey(BaseModel):
    origin: str = Field(description="The log's origin line, first line of each checkpoint")
    verifier_key: str = Field(
        description="C2SP signed-note verifier key: <name>+<key id>+<base64 of 0x01 ‖ key>"
    )


class LedgerEntry(BaseModel):
    index: int
    entry: str = Field(description="Base64 of the exact leaf bytes (RFC 8785 JSON)")


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    hashes: list[str] = Field(description="The RFC 9162 audit path, base64, leaf upwards")


class ConsistencyProof(BaseModel):
    first: int
    second: int
    hashes: list[str]


class WitnessCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120, examples=["agency.example/witness"])]
    verifier_key: Annotated[str, Field(min_length=1, max_length=300)] = Field(
        description="The witness's cosignature verifier key (type 0x04)"
    )


@router.get(
    "/ledger/checkpoint",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **PROBLEMS},
)
def checkpoint(runtime: RuntimeDep) -> Response:
    """The newest signed checkpoint (C2SP signed note), with witnesses' cosignature lines."""
    note = ledger_reader(runtime).checkpoint()
    return Response(note, media_type="text/plain; charset=utf-8")


@router.get("/ledger/key", response_model=LedgerKey, responses=PROBLEMS)
def key(runtime: RuntimeDep) -> LedgerKey:
    """The log's origin and public key, to verify checkpoints and receipts with."""
    reader = ledger_reader(runtime)
    return LedgerKey(origin=reader.origin, verifier_key=str(reader.verifier_key))


@router.get(
    "/ledger/entries",
    response_model=list[LedgerEntry],
    responses=PROBLEMS,
    dependencies=[require(Action.READ_LEDGER)],
)
def entries(runtime: RuntimeDep, start: Size, end: Size) -> list[LedgerEntry]:
    """Entries with ``start <= index < end`` (at most 1,000 at a time)."""
    return [
        LedgerEntry(index=logged.leaf_index, entry=_b64(logged.entry))
        for logged in ledger_reader(runtime).entries(start, end)
    ]


@router.get("/ledger/proof/inclusion", response_model=InclusionProof, responses=PROBLEMS)
def inclusion(runtime: RuntimeDep, index: Size, tree_size: Size) -> InclusionProof:
    """The audit path of a leaf in a signed tree size."""
    hashes = ledger_reader(runtime).inclusion(index, tree_size)
    return InclusionProof(leaf_index=index, tree_size=tree_size, hashes=[_b64(h) for h in hashes])


@router.get("/ledger/proof/consistency", response_model=ConsistencyProof, responses=PROBLEMS)
def consistency(runtime: RuntimeDep, first: Size, second: Size) -> ConsistencyProof:
    """The proof that the tree of ``second`` leaves extends the tree of ``first``."""
    hashes = ledger_reader(runtime).consistency(first, second)
    return ConsistencyProof(first=first, second=second, hashes=[_b64(h) for h in hashes])


@router.get("/declarations/{reference}/receipt", responses=PROBLEMS)
def receipt(reference: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> dict[str, Any]:
    """A self-contained receipt for the declaration's newest logged event (for its declarant,
    the newest of lodging, acceptance, assessment, amendment, cancellation or a reply): the
    entry, its index, the inclusion proof and the signed checkpoint it proves against (verify
    it offline with ``clearway ledger verify-receipt``)."""
    receipt = declaration_receipt(runtime, principal, reference)
    record_reads(runtime.engine, [receipt["declaration_id"]], read_by(principal, "receipt"))
    return receipt


@router.post(
    "/ledger/witnesses",
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    dependencies=[require(Action.MANAGE_WITNESSES)],
)
def register_witness(
    body: Annotated[WitnessCreate, Body()], principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, str]:
    """Register a partner agency's witness key (administrators)."""
    ledger_reader(runtime).register_witness(
        body.name, body.verifier_key, principal.username, runtime.context.now()
    )
    return {"name": body.name, "verifier_key": body.verifier_key}


@router.post(
    "/ledger/cosignatures",
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    openapi_extra={"requestBody": {"content": {"text/plain": {}}, "required": True}},
)
async def cosign(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """A registered witness's cosignature on a checkpoint the log signed (the checkpoint note
    with the witness's signature line, as text). The signature is the credential."""
    text = (await request.body()).decode("utf-8", errors="replace")
    kept = ledger_reader(runtime).add_cosignature(text, runtime.context.now())
    return {"witnesses": kept}
