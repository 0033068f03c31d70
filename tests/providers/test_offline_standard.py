"""langchain-tests' standard unit tests for the offline chat model."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests

from contentgen.providers.offline import OfflineChatModel


class TestOfflineChatModelStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return OfflineChatModel

    @property
    def chat_model_params(self) -> dict:
        return {"model": "contentgen-offline-1"}
