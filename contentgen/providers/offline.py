"""The embedded offline model: a deterministic LangChain chat model that writes drafts from a brief.

Contract with the prompt files: the rendered user message ends with
`<brief>{Brief JSON}</brief>` and `<output schema="copy|short_video_script|push" variant="N" of="M"/>`.
A `<rewrite>[{"match", "rule", "kind", "replacement"?, "statement"?, ...}]</rewrite>` block (after
a compliance failure) lists strings the answer must not contain: a `replacement` takes the
match's place, otherwise the sentence holding it is re-realised or dropped, and a `statement` is
added; a finding's message and suggestion are advice and never enter the text
(offline_rewrite.py). An `<exemplars>{…}</exemplars>` block (partials/exemplars.j2: what worked
before with this audience) makes it take, of a few phrasings of its own, the one closest to the
proven examples (offline_learned.py). Without a brief it answers a short plain note.
It is what new users, CI and the demo see; it is not the product's LLM.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field, SecretStr, ValidationError

from contentgen.kernel.exemplars import from_block
from contentgen.kernel.schemas import Brief
from contentgen.providers.offline_compose import Composer
from contentgen.providers.offline_learned import closest_to_what_worked
from contentgen.providers.offline_rewrite import Avoid

OFFLINE_MODEL_NAME = "contentgen-offline-1"

_BRIEF = re.compile(r"<brief>(.*?)</brief>", re.S)
_OUTPUT = re.compile(r"<output\b([^>]*)/?>")
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_REWRITE = re.compile(r"<rewrite>(.*?)</rewrite>", re.S)

NOTE = (
    "This is contentgen's offline model (no OPENAI_API_KEY is set). It writes marketing drafts "
    "from a rendered brief, e.g. `contentgen generate --product ...`; it does not chat. "
    "Set OPENAI_API_KEY (and optionally OPENAI_BASE_URL) to use a real model."
)


def _text_of(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else message.text


def parse_request(messages: list[BaseMessage]) -> tuple[dict[str, Any] | None, dict[str, str], Avoid]:
    """The last brief, the last output spec and every rewrite instruction in the messages."""
    brief: dict[str, Any] | None = None
    output: dict[str, str] = {}
    avoid = Avoid()
    for message in messages:
        text = _text_of(message)
        if isinstance(message, AIMessage):
            continue  # our own earlier answers are not instructions
        for raw in _BRIEF.findall(text):
            try:
                loaded = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(loaded, dict):
                brief = loaded
        for attrs in _OUTPUT.findall(text):
            output = dict(_ATTR.findall(attrs))
        for raw in _REWRITE.findall(text):
            try:
                items = json.loads(raw)
            except json.JSONDecodeError:
                continue
            more = Avoid.from_instructions(items if isinstance(items, list) else [])
            avoid.items += more.items
            avoid.statements += [s for s in more.statements if s not in avoid.statements]
    return brief, output, avoid


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def compose_answer(messages: list[BaseMessage], seed: int = 0) -> str:
    """One JSON object for the brief in messages, or a plain note when there is none."""
    brief_data, output, avoid = parse_request(messages)
    if brief_data is None:
        return NOTE
    try:
        brief = Brief.model_validate(brief_data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "brief"
        return f"The offline model cannot write from this brief: {where}: {first['msg']}."
    schema = output.get("schema", brief.content_type)
    if schema not in ("copy", "short_video_script", "push"):
        schema = brief.content_type
    # What worked before with this audience, when the prompt carries it (partials/exemplars.j2).
    lessons = next((found for m in reversed(messages) if not isinstance(m, AIMessage)
                    if (found := from_block(_text_of(m))) is not None), None)
    content = closest_to_what_worked(lambda v: Composer(brief, v, seed, avoid).compose(schema),
                                     variant=_int(output.get("variant"), 1), variants=_int(output.get("of"), 1),
                                     exemplars=lessons)
    return json.dumps(content.model_dump(mode="json"), ensure_ascii=False)


class OfflineChatModel(BaseChatModel):
    """Deterministic drafts from phrase banks, marked offline; same input and seed, same answer."""

    model_config = ConfigDict(populate_by_name=True)

    model_name: str = Field(default=OFFLINE_MODEL_NAME, alias="model")
    temperature: float | None = None  # accepted for interface parity; the output is deterministic
    max_tokens: int | None = None
    timeout: float | None = None
    stop: list[str] | None = None
    max_retries: int | None = None
    api_key: SecretStr | None = None
    streaming: bool = False
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return "contentgen-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "seed": self.seed}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="contentgen-offline",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
        )
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        seed = kwargs.get("seed", self.seed)
        answer = compose_answer(messages, seed=int(seed) if isinstance(seed, int) else 0)
        message = AIMessage(
            content=answer,
            response_metadata={"model_name": self.model_name, "offline": True},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
