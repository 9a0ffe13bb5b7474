"""Reading a JSON list item by item from a byte stream, in constant memory, keeping line numbers: how a
big .json training file is checked like a JSONL one (hypotez.services.model.datasets)."""

from __future__ import annotations

import io
import json
from typing import IO, Any

from hypotez.reasons import Reason

CHUNK_CHARS = 1 << 16


class JsonListReader:
    """Reads a JSON list item by item (``raw_decode`` over chunks), keeping line numbers, so a big
    .json file is checked in constant memory like a JSONL one."""

    def __init__(self, stream: IO[bytes], max_item_chars: int):
        self.max_item_chars = max_item_chars
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
        self.buffer, self.pos, self.line, self.eof = "", 0, 1, False
        self.base = 0  # offset in the file of buffer[0]
        self.line_start = 0  # offset in the file of the current line's first character

    def _fill(self) -> bool:
        chunk = self.text.read(CHUNK_CHARS) if not self.eof else ""
        self.eof = not chunk
        self.base += self.pos
        self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        return bool(chunk)

    def _advance(self, end: int) -> None:
        newlines = self.buffer.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.base + self.buffer.rfind("\n", self.pos, end) + 1
        self.pos = end

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            stripped = len(self.buffer) - self.pos - len(self.buffer[self.pos:].lstrip())
            if stripped:
                self._advance(self.pos + stripped)
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos:self.pos + 1]

    def take(self) -> None:
        self._advance(self.pos + 1)

    def item(self) -> tuple[int, Any]:
        """The next JSON value and the line it starts on; raises JSONDecodeError (located) or ValueError."""
        decoder = json.JSONDecoder()
        self.peek()  # raw_decode does not skip white space
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer, self.pos)
                if end < len(self.buffer) or self.eof:
                    line = self.line
                    self._advance(end)
                    return line, value
            except json.JSONDecodeError as error:
                if self.eof:
                    raise json.JSONDecodeError(error.msg, self.buffer, error.pos) from None
            except RecursionError:  # nested deeper than the decoder follows: a bad item like any other
                raise ValueError(Reason("dataset.too_deep")) from None
            if len(self.buffer) - self.pos > self.max_item_chars:
                raise ValueError(Reason("dataset.item_too_long", limit=self.max_item_chars))
            self._fill()

    def located(self, error: json.JSONDecodeError) -> tuple[int, int]:
        self._advance(error.pos)
        return self.line, self.base + self.pos - self.line_start + 1
