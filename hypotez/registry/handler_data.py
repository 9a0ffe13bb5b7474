"""What a handler says it returns, read from its return annotation, so that `validate` can check the
names its templates read:

    class Greeting(TypedDict):
        name: str

    async def hi(invocation) -> Response[Greeting]: ...

``Response[A] | Response[B]`` (or ``Response[A | B]``) for a handler with several outcomes: a template may
read what any of them gives. A TypedDict returned as it is, and ``None`` (no data), count too. A handler
without such an annotation may give anything: its templates' names are then not checked (their
attributes of the scope still are).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Callable, Union, get_args, get_origin, get_type_hints, is_typeddict

from hypotez import shapes
from hypotez.invocation import Response


def handler_data(function: Callable[..., Any]) -> dict[str, Any] | None:
    """name → shape of the data ``function`` declares it returns; None when it does not say."""
    try:
        annotation = get_type_hints(function).get("return", None)
    except Exception:  # an annotation that cannot be resolved here: as if there were none
        return None
    if annotation is None:
        return None
    return _data_of(annotation, top=True)


def _data_of(annotation: Any, *, top: bool) -> dict[str, Any] | None:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        merged: dict[str, Any] = {}
        for member in get_args(annotation):
            data = _data_of(member, top=top)
            if data is None:
                return None
            for name, shape in data.items():
                merged[name] = shapes.union([merged[name], shape]) if name in merged else shape
        return merged
    if annotation is type(None):
        return {}
    if top and origin is Response:
        args = get_args(annotation)
        return _data_of(args[0], top=False) if args else None
    if is_typeddict(annotation):
        try:
            return dict(get_type_hints(annotation))
        except Exception:
            return {name: shapes.ANY for name in getattr(annotation, "__annotations__", {})}
    if annotation is typing.Any or annotation is Response:
        return None
    return None
