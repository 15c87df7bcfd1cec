"""The UK CDS schemas of WCO DEC-DMS 3.6 (the UK customisation of the WCO Data Model 3.6) and
the checks of declarations, cancellations and notifications against them.

The XSDs ship in ``clearway/reference/data/wco`` (hmrc/customs-declarations @ 3d05836,
Apache-2.0; see ``PROVENANCE.md`` there). Each schema is compiled once, on first use, from those
files only: its imports are resolved inside that folder and nothing is fetched from the network.
A document is ``md:MetaData`` wrapping either one ``Declaration`` (namespace ``DEC_NS``) or one
or more ``Response`` (``RES_NS``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote, urlsplit

from lxml import etree

from clearway.adapters.messages.xml_safety import MAX_REPORTED_ERRORS, SchemaError, XmlRefused
from clearway.reference import DATA_DIR

if TYPE_CHECKING:
    from lxml.etree._docloader import _InputDocument

__all__ = [
    "DEC_DS_NS",
    "DEC_NS",
    "META_DS_NS",
    "META_NS",
    "RES_DS_NS",
    "RES_NS",
    "SCHEMA_DIR",
    "element_path",
    "validate_cancellation",
    "validate_declaration",
    "validate_notification",
]

# The MetaData wrapper around a declaration or notifications.
META_NS: Final = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
# The declaration (original, amendment, cancellation): Declaration, GoodsShipment, ...
DEC_NS: Final = "urn:wco:datamodel:WCO:DEC-DMS:2"
# The notification: Response, Error, Pointer, ...
RES_NS: Final = "urn:wco:datamodel:WCO:RES-DMS:2"
# The data-type namespaces: in a notification, DateTimeString is in RES_DS_NS.
RES_DS_NS: Final = "urn:wco:datamodel:WCO:Response_DS:DMS:2"
DEC_DS_NS: Final = "urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
META_DS_NS: Final = "urn:wco:datamodel:WCO:MetaData_DS-DMS:2"

SCHEMA_DIR: Final = DATA_DIR / "wco"
_XS: Final = "http://www.w3.org/2001/XMLSchema"


@dataclass(frozen=True)
class _SchemaSpec:
    """A schema made of the wrapper and the body it wraps: ``imports`` are (namespace, path
    under ``SCHEMA_DIR``); ``body`` is the (namespace, local name) of the wrapped element."""

    name: str
    imports: tuple[tuple[str, str], ...]
    body: tuple[str, str]


_DECLARATION: Final = _SchemaSpec(
    "declaration",
    (
        (META_NS, "declaration/DocumentMetaData_2_DMS.xsd"),
        (DEC_NS, "declaration/WCO_DEC_2_DMS.xsd"),
    ),
    (DEC_NS, "Declaration"),
)
_CANCELLATION: Final = _SchemaSpec(
    "cancellation",
    ((META_NS, "declaration/CANCEL_METADATA.xsd"), (DEC_NS, "declaration/CANCEL.xsd")),
    (DEC_NS, "Declaration"),
)
_NOTIFICATION: Final = _SchemaSpec(
    "notification",
    (
        (META_NS, "notification/DocumentMetaData_2_DMS.xsd"),
        (RES_NS, "notification/WCO_RES_2_DMS.xsd"),
    ),
    (RES_NS, "Response"),
)


class _LocalSchemaFiles(etree.Resolver):
    """Serves schema imports from ``SCHEMA_DIR`` and refuses every other address."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder.resolve()

    def resolve(
        self, system_url: str | None, public_id: str | None, context: object
    ) -> _InputDocument:
        address = urlsplit(system_url or "")
        path = Path(unquote(address.path)).resolve()
        if (
            address.scheme not in ("", "file")
            or address.netloc
            or not (path.is_relative_to(self._folder) and path.is_file())
        ):
            raise LookupError(f"schema import outside the shipped schemas: {system_url}")
        return self.resolve_filename(str(path), context)


class _CompiledSchema:
    """One schema, compiled on first use. lxml keeps a validator's error log on the validator,
    so validations are serialised to read each document's errors, not another thread's."""

    def __init__(self, spec: _SchemaSpec) -> None:
        self.spec = spec
        self._schema: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    def _compiled(self) -> etree.XMLSchema:
        if self._schema is None:
            imports = "".join(
                f'<xs:import namespace="{namespace}" schemaLocation="{location}"/>'
                for namespace, location in self.spec.imports
            )
            wrapper = f'<xs:schema xmlns:xs="{_XS}">{imports}</xs:schema>'
            parser = etree.XMLParser(
                no_network=True, resolve_entities=False, load_dtd=False, remove_comments=True
            )
            parser.resolvers.add(_LocalSchemaFiles(SCHEMA_DIR))
            document = etree.fromstring(
                wrapper.encode(), parser, base_url=(SCHEMA_DIR / "wrapper.xsd").as_uri()
            )
            self._schema = etree.XMLSchema(document)
        return self._schema

    def validate(self, root: etree._Element) -> None:
        """Refuse ``root`` unless it is ``md:MetaData`` wrapping this schema's body element
        and the schema accepts it."""
        body_namespace, body_name = self.spec.body
        expected = (
            f"a {self.spec.name} is md:MetaData ({META_NS}) wrapping {body_name} ({body_namespace})"
        )
        if root.tag != f"{{{META_NS}}}MetaData":
            found = f"found {_display_name(root)}"
            raise XmlRefused("wrong_root", f"line {root.sourceline}: {expected}; {found}")
        if root.find(f"{{{body_namespace}}}{body_name}") is None:
            found = f"this MetaData wraps no {body_name} in that namespace"
            raise XmlRefused("wrong_root", f"line {root.sourceline}: {expected}; {found}")
        with self._lock:
            schema = self._compiled()
            if schema.validate(root):
                return
            log = list(schema.error_log)
        errors: list[SchemaError] = [
            (entry.line, _readable_path(root, entry.path), " ".join(entry.message.split()))
            for entry in log[:MAX_REPORTED_ERRORS]
        ]
        line, path, message = errors[0]
        more = f" ({len(log)} errors in all)" if len(log) > 1 else ""
        raise XmlRefused("schema_invalid", f"line {line}: {path}: {message}{more}", errors)


def _readable_path(root: etree._Element, schema_path: str | None) -> str:
    """The element the schema names (``/md:MetaData/*[6]/*[2]``) as a path of local names
    with positions where siblings repeat (``/MetaData/Declaration/FunctionalReferenceID``)."""
    if not schema_path:
        return ""
    prefixes = {
        prefix: namespace
        for element in root.iter()
        for prefix, namespace in element.nsmap.items()
        if prefix
    }
    try:
        found = root.getroottree().xpath(schema_path, namespaces=prefixes)
    except etree.XPathError:
        return schema_path
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        return schema_path
    return element_path(found[0])


def element_path(element: etree._Element) -> str:
    """Where ``element`` is in its document, as local names from the root with positions
    where siblings repeat: ``/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]``."""
    steps = []
    for step_element in [element, *element.iterancestors()]:
        qname = etree.QName(step_element)
        step = qname.localname
        parent = step_element.getparent()
        if parent is not None:
            namesakes = parent.findall(qname.text)
            if len(namesakes) > 1:
                step += f"[{namesakes.index(step_element) + 1}]"
        steps.append(step)
    return "/" + "/".join(reversed(steps))


def _display_name(element: etree._Element) -> str:
    qname = etree.QName(element)
    return f"{qname.localname} ({qname.namespace})" if qname.namespace else qname.localname


_SCHEMAS: Final = {
    spec.name: _CompiledSchema(spec) for spec in (_DECLARATION, _CANCELLATION, _NOTIFICATION)
}


def validate_declaration(root: etree._Element) -> None:
    """Check a declaration (original, FunctionCode 9, or amendment, 13): ``md:MetaData``
    wrapping ``Declaration``, against the CDS declaration schema. Raises ``XmlRefused``
    (``wrong_root`` or ``schema_invalid`` with the errors)."""
    _SCHEMAS["declaration"].validate(root)


def validate_cancellation(root: etree._Element) -> None:
    """Check a cancellation request (``Declaration`` with TypeCode ``INV``, FunctionCode 13)
    in its ``md:MetaData`` against the CDS cancellation schema. Raises ``XmlRefused``."""
    _SCHEMAS["cancellation"].validate(root)


def validate_notification(root: etree._Element) -> None:
    """Check a notification document (``md:MetaData`` wrapping one or more ``Response``)
    against the CDS notification schema. Raises ``XmlRefused``."""
    _SCHEMAS["notification"].validate(root)
