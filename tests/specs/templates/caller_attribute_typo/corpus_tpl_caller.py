from typing import TypedDict

from hypotez import Response


class Greeting(TypedDict):
    name: str


async def hi(invocation) -> Response[Greeting]:
    return Response(data={"name": invocation.author.shown_name})
