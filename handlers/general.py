"""Greeting and instructions: answered from templates, with a little data about the caller."""

from __future__ import annotations

from typing import TypedDict

from hypotez import Invocation, Response


# What each handler gives its templates (besides the scope: user, server, prefix...): `hypotez validate`
# checks every name the templates read against these.
class Greeting(TypedDict):
    name: str


class Instructions(TypedDict, total=False):
    commands: list[str]


async def hi(invocation: Invocation) -> Response[Greeting]:
    return Response(data={"name": invocation.author.shown_name})


async def instruction(invocation: Invocation) -> Response[Instructions]:
    # The instructions live in a template so they can be edited without touching code.
    return Response(data={"commands": [c.name for c in invocation.spec.commands if not c.hidden]}
                    if invocation.spec else {})
