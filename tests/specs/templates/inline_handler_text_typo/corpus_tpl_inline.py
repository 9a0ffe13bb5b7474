from typing import TypedDict

from hypotez import Response


class Book(TypedDict):
    title: str
    author: str


class Books(TypedDict):
    total: int
    books: list[Book]


async def books(invocation) -> Response[Books]:
    return Response(data={"books": [{"title": "Dune", "author": "Herbert"}]})
