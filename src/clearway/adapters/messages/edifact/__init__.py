"""UN/EDIFACT customs messages: CUSDEC declarations read into Clearway's wire format (and
written from it), CUSRES answers written (and read back), in interchanges of the D.96B and
D.99B directories.

Errors::

    ValueError
    ├── EdifactRefused           an interchange that is not read (reason, detail, position)
    └── EdifactUnrepresentable   a declaration field CUSDEC cannot carry (pointer, detail)
"""

from clearway.adapters.messages.edifact._interchange_out import write_interchange
from clearway.adapters.messages.edifact.cusdec import (
    CusdecMessage,
    EdifactUnrepresentable,
    map_cusdec,
    segment_position,
    to_cusdec,
)
from clearway.adapters.messages.edifact.cusres import (
    Answer,
    answer_interchange,
    parse_cusres,
    to_cusres,
)
from clearway.adapters.messages.edifact.interchange import (
    MAX_BYTES,
    MAX_MESSAGES,
    MAX_SEGMENTS,
    EdifactRefused,
    Interchange,
    Message,
    Position,
    read_interchange,
)

__all__ = [
    "MAX_BYTES",
    "MAX_MESSAGES",
    "MAX_SEGMENTS",
    "Answer",
    "CusdecMessage",
    "EdifactRefused",
    "EdifactUnrepresentable",
    "Interchange",
    "Message",
    "Position",
    "answer_interchange",
    "map_cusdec",
    "parse_cusres",
    "read_interchange",
    "segment_position",
    "to_cusdec",
    "to_cusres",
    "write_interchange",
]
