"""Greeting and instructions: answered from templates, with a little data about the caller."""

from __future__ import annotations

from hypotez import Invocation, Response


async def hi(invocation: Invocation) -> Response:
    return Response(data={"name": invocation.author.shown_name})


async def instruction(invocation: Invocation) -> Response:
    # The instructions live in a template so they can be edited without touching code.
    return Response(data={"commands": [c.name for c in invocation.spec.commands if not c.hidden]}
                    if invocation.spec else {})
