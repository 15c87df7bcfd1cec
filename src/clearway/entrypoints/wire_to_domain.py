"""Wire declarations (``entrypoints/schemas.py``) as domain objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clearway.domain import declaration as domain
from clearway.domain.formalities import (
    Authorisation,
    Charge,
    DeferredPayment,
    DutyTaxParty,
    Equipment,
    Guarantee,
    TaxPayment,
)
from clearway.entrypoints import wire_formalities as wf

if TYPE_CHECKING:
    from clearway.entrypoints.schemas import (
        DeclarationIn,
        ItemIn,
        MoneyIn,
        PartyIn,
        SupplementaryUnitsIn,
        TransportIn,
    )

__all__ = ["to_domain"]


def _party(party: PartyIn | None) -> domain.Party | None:
    if party is None:
        return None
    address = party.address
    return domain.Party(
        name=party.name,
        id=party.id,
        country=party.country,
        address=domain.Address(address.street, address.city, address.postcode, address.country)
        if address
        else None,
    )


def _money(money: MoneyIn | wf.AmountIn | None) -> domain.Amount | None:
    return domain.Amount(money.currency, money.amount) if money else None


def _units(units: SupplementaryUnitsIn | None) -> domain.SupplementaryUnits | None:
    return domain.SupplementaryUnits(units.quantity, units.unit) if units else None


def _item(item: ItemIn) -> domain.GoodsItem:
    return domain.GoodsItem(
        sequence=item.sequence,
        commodity_code=item.commodity_code,
        description=item.description,
        origin_country=item.origin_country,
        preference=item.preference,
        invoice_amount=item.invoice_amount,
        net_mass_kg=item.net_mass_kg,
        gross_mass_kg=item.gross_mass_kg,
        supplementary_units=_units(item.supplementary_units),
        packages=domain.Packages(item.packages.kind, item.packages.count, item.packages.marks)
        if item.packages
        else None,
        documents=tuple(
            domain.Document(d.type, d.reference, d.status, d.name, _units(d.write_off))
            for d in item.documents
        ),
        additional_codes=tuple(item.additional_codes or ()),
        quantities=tuple((q.unit, q.amount) for q in item.quantities or ()),
        control=domain.ControlEntry(item.control.list, item.control.entry)
        if item.control
        else None,
        national_codes=tuple(item.national_codes or ()),
        cus_code=item.cus_code,
        procedure=item.procedure,
        additional_procedures=tuple(item.additional_procedures or ()),
        valuation_method=item.valuation_method,
        valuation_indicator=item.valuation_indicator,
        statistical_value=_money(item.statistical_value),
        customs_value=_money(item.customs_value),
        preferential_origin=item.preferential_origin,
        tax_payments=tuple(TaxPayment(t.type, t.method) for t in item.tax_payments or ()),
        quota=item.quota,
        nature_of_transaction=item.nature_of_transaction,
        dispatch_country=item.dispatch_country,
        previous_documents=wf.previous_documents(item.previous_documents),
        additional_information=wf.statements(item.additional_information),
    )


def _transport(transport: TransportIn | None) -> domain.Transport | None:
    if transport is None:
        return None
    return domain.Transport(
        transport.mode,
        transport.identity,
        transport.nationality,
        transport.container,
        transport.identity_type,
    )


def to_domain(model: DeclarationIn) -> domain.Declaration:
    declarant = _party(model.declarant)
    assert declarant is not None
    invoice = model.invoice
    return domain.Declaration(
        type=domain.DeclarationType(model.type),
        additional_type=model.additional_type,
        procedure=model.procedure,
        lrn=model.lrn,
        declarant=declarant,
        importer=_party(model.importer),
        exporter=_party(model.exporter),
        consignee=_party(model.consignee),
        end_user=_party(model.end_user),
        carrier=_party(model.carrier),
        consignor=_party(model.consignor),
        office=model.office,
        dispatch_country=model.dispatch_country,
        destination_country=model.destination_country,
        transport=_transport(model.transport),
        incoterm=domain.Incoterm(model.incoterm.code, model.incoterm.place)
        if model.incoterm
        else None,
        invoice=domain.Invoice(invoice.number, invoice.currency, invoice.amount, invoice.date)
        if invoice
        else None,
        freight=_money(model.freight),
        insurance=_money(model.insurance),
        items=tuple(_item(item) for item in model.items),
        representative=wf.representative(model.representative),
        authorisations=tuple(Authorisation(a.type, a.holder) for a in model.authorisations or ()),
        deferred_payments=tuple(
            DeferredPayment(d.category, d.type, d.reference) for d in model.deferred_payments or ()
        ),
        guarantees=tuple(
            Guarantee(g.type, g.reference, g.access_code) for g in model.guarantees or ()
        ),
        goods_location=wf.goods_location(model.goods_location),
        exit_office=model.exit_office,
        supervising_office=model.supervising_office,
        warehouse=wf.warehouse(model.warehouse),
        arrival_transport=wf.transport_means(model.arrival_transport),
        departure_transport=wf.transport_means(model.departure_transport),
        equipment=tuple(Equipment(e.sequence, e.id, tuple(e.seals)) for e in model.equipment or ()),
        routing_countries=tuple(model.routing_countries or ()),
        freight_payment_method=model.freight_payment_method,
        charges=tuple(Charge(c.code, c.currency, c.amount) for c in model.charges or ()),
        nature_of_transaction=model.nature_of_transaction,
        ucr=model.ucr,
        total_packages=model.total_packages,
        duty_tax_parties=tuple(DutyTaxParty(p.id, p.role) for p in model.duty_tax_parties or ()),
        previous_documents=wf.previous_documents(model.previous_documents),
        additional_information=wf.statements(model.additional_information),
    )
