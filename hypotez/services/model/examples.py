"""One training example, and how a JSON object becomes examples: a chat (``{"messages": [...]}``) or a
prompt/completion pair. Each problem is a reason without a place; the readers (datasets.py) locate it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypotez.reasons import Reason

ROLES = {"system", "user", "assistant"}
CHAT_KEYS = {"messages", "weight", "positive", "tools", "parallel_tool_calls"}
PAIR_KEYS = {"prompt", "completion", "positive", "input", "output", "question", "answer"}


@dataclass(frozen=True, slots=True)
class Example:
    prompt: str
    completion: str
    positive: bool = True
    system: str | None = None

    def as_chat(self) -> dict[str, Any]:
        messages = ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": self.prompt}, {"role": "assistant", "content": self.completion}]
        return {"messages": messages}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def from_pair(obj: dict[str, Any], positive: bool) -> tuple[Example | None, str | None]:
    unknown = set(obj) - PAIR_KEYS
    if unknown:
        return None, Reason("dataset.unknown_pair_keys", keys=sorted(unknown))
    prompt = _text(obj.get("prompt", obj.get("input", obj.get("question"))))
    completion = _text(obj.get("completion", obj.get("output", obj.get("answer"))))
    if prompt is None:
        return None, Reason("dataset.prompt_missing")
    if completion is None:
        return None, Reason("dataset.completion_missing")
    flag = obj.get("positive", positive)
    if not isinstance(flag, bool):
        return None, Reason("dataset.positive_not_boolean")
    return Example(prompt, completion, flag), None


def _from_chat(obj: dict[str, Any], positive: bool) -> tuple[list[Example], str | None]:
    unknown = set(obj) - CHAT_KEYS
    if unknown:
        return [], Reason("dataset.unknown_chat_keys", keys=sorted(unknown))
    messages = obj["messages"]
    if not isinstance(messages, list) or not messages:
        return [], Reason("dataset.messages_not_list")
    system = None
    examples: list[Example] = []
    last_user: str | None = None
    for index, message in enumerate(messages, 1):
        if not isinstance(message, dict):
            return [], Reason("dataset.message_not_object", index=index)
        role = message.get("role")
        if role not in ROLES | {"tool"}:
            return [], Reason("dataset.unknown_role", index=index, role=role)
        extra = set(message) - {"role", "content", "name", "weight", "tool_calls", "tool_call_id"}
        if extra:
            return [], Reason("dataset.message_unknown_keys", index=index, keys=sorted(extra))
        content = _text(message.get("content"))
        if content is None and not message.get("tool_calls"):
            return [], Reason("dataset.message_no_content", index=index, role=role)
        if role == "system":
            system = content
        elif role == "user":
            last_user = content
        elif role == "assistant" and last_user is not None and content is not None:
            examples.append(Example(last_user, content, obj.get("positive", positive) is not False, system))
    if not any(m.get("role") == "assistant" for m in messages if isinstance(m, dict)):
        return [], Reason("dataset.no_assistant")
    if not examples:
        return [], Reason("dataset.no_user")
    return examples, None


def parse_object(obj: Any, positive: bool) -> tuple[list[Example], str | None]:
    if not isinstance(obj, dict):
        return [], Reason("dataset.not_object", got=type(obj).__name__)
    if "messages" in obj:
        return _from_chat(obj, positive)
    example, problem = from_pair(obj, positive)
    return ([example] if example else []), problem
