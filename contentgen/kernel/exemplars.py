"""What worked before: approved content of the same audience with its measured outcome rate,
offered to the next draft as examples (the best) and as notes on what to avoid (the weakest).

    lessons = Exemplars(metric="clicked", examples=[Exemplar(...)], avoid=[Exemplar(...)])
    lessons.provenance()   # what a draft records: ids, versions and rates, not the texts

The library finds them (library/exemplars.py), a use case hands them to the generator, the
prompt shows them to the model (prompts/partials/exemplars.j2) and to the offline model in a
<exemplars> block it reads back with `from_block`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 600  # characters of an example shown to the model: the opening carries the voice
# '<' is escaped inside the block, so a block never holds one: text around it cannot fake one.
_BLOCK = re.compile(r"<exemplars>([^<]*)</exemplars>")


class Exemplar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    material_id: str
    version: int
    text: str
    rate: float = Field(ge=0, le=1)
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)
    reached: int = Field(ge=1)


class Exemplars(BaseModel):
    """The best and the weakest approved content of one industry × segment × content type ×
    locale, on one outcome metric, each clearly above or below the group's pooled rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    pooled_rate: float = Field(ge=0, le=1)
    examples: list[Exemplar] = Field(default_factory=list)
    avoid: list[Exemplar] = Field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.examples or self.avoid)

    def provenance(self) -> dict[str, Any]:
        """What a draft keeps of them: which versions, at which rate (texts stay in the library)."""
        def ref(e: Exemplar) -> dict[str, Any]:
            return {"material_id": e.material_id, "version": e.version, "rate": round(e.rate, 4),
                    "reached": e.reached}
        return {"metric": self.metric, "pooled_rate": round(self.pooled_rate, 4),
                "examples": [ref(e) for e in self.examples], "avoid": [ref(e) for e in self.avoid]}

    def block(self) -> str:
        """The machine-readable form in the prompt; '<' escaped so a text cannot close the tag."""
        data = self.model_dump(mode="json")
        for e in data["examples"] + data["avoid"]:
            e["text"] = e["text"][:MAX_TEXT]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        return f"<exemplars>{text}</exemplars>"


def from_block(text: str) -> Exemplars | None:
    """The last <exemplars> block in a prompt text; None when there is none or it does not parse."""
    found = _BLOCK.findall(text)
    if not found:
        return None
    try:
        return Exemplars.model_validate_json(found[-1])
    except ValueError:
        return None
