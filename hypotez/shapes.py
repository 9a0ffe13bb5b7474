"""What a value that a template reads holds — its *shape* — told by ordinary Python annotations: a
TypedDict (the keys of a handler's data), a class with annotated attributes (``server``), ``list[X]``,
``X | None``, ``str``, ``datetime``. The template checks follow a ``{{ a.b.c }}`` through these shapes and
report the first step that does not exist; ``Any`` (or anything without annotations) means "anything
goes", so nothing unknown is ever refused.

A leaf: it imports no other part of hypotez.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import datetime
import inspect
import types
import typing
from pathlib import PurePath
from typing import Any, Iterable, Union, get_args, get_origin, get_type_hints, is_typeddict

ANY: Any = Any
MISSING: Any = object()  # attribute() of something that does not have it

_LISTS = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable,
          collections.abc.Collection, collections.abc.Set, collections.abc.MutableSequence)
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
# Values whose attributes are those of their Python type (methods, date parts): checked against dir().
_PLAIN = (str, int, float, bool, bytes, datetime.datetime, datetime.date, datetime.time, datetime.timedelta)


def alternatives(shape: Any) -> list[Any]:
    """The shapes a value may have, None left out (a ``{% if x %}`` guards it; the value itself is
    checked at run time)."""
    if get_origin(shape) in (Union, types.UnionType):
        return [alt for member in get_args(shape) for alt in alternatives(member)]
    if shape is type(None) or shape is None:
        return []
    return [shape]


def union(shapes: Iterable[Any]) -> Any:
    found: list[Any] = []
    for shape in shapes:
        for alt in alternatives(shape):
            if alt is ANY:
                return ANY
            if alt not in found:
                found.append(alt)
    if not found:
        return ANY
    return found[0] if len(found) == 1 else Union[tuple(found)]  # type: ignore[return-value]


@functools.lru_cache(maxsize=512)
def _hints(cls: Any) -> dict[str, Any]:
    """The annotations of a class or function, resolved once (read-only: shared by every caller)."""
    try:
        return get_type_hints(cls)
    except Exception:  # an annotation naming something not importable here: its keys, unchecked
        return {name: ANY for name in getattr(cls, "__annotations__", {})}


def _literal_type(shape: Any) -> Any:
    values = get_args(shape)
    return type(values[0]) if values else ANY


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def declared(shape: Any) -> list[str] | None:
    """The names a shape declares itself (what the hints list), None when it can hold anything."""
    names: list[str] = []
    for alt in alternatives(shape):
        keys = _declared_one(alt)
        if keys is None:
            return None
        names += [key for key in keys if key not in names]
    return names


def _declared_one(shape: Any) -> list[str] | None:
    origin = get_origin(shape) or shape
    if shape is ANY or isinstance(shape, typing.TypeVar):
        return None
    if get_origin(shape) is typing.Literal:
        return _declared_one(_literal_type(shape))
    if is_typeddict(shape):
        return list(_hints(shape))
    if origin in _MAPPINGS:
        return None
    if origin in _LISTS or origin in _PLAIN or (isinstance(origin, type) and issubclass(origin, PurePath)):
        return []
    if isinstance(shape, type) and shape is not object:
        own = list(_hints(shape))
        for cls in shape.__mro__:
            if cls in (object, str, int, float):
                break
            own += [name for name, value in vars(cls).items()
                    if isinstance(value, property) and not name.startswith("_") and name not in own]
        return own
    return None


def attribute(shape: Any, name: str) -> Any:
    """The shape of ``value.name`` (Jinja tries the attribute, then the key), MISSING when no
    alternative of ``shape`` has it."""
    results = [_attribute_one(alt, name) for alt in alternatives(shape)] or [ANY]
    found = [result for result in results if result is not MISSING]
    return union(found) if found else MISSING


def _attribute_one(shape: Any, name: str) -> Any:
    if shape is ANY or isinstance(shape, typing.TypeVar):
        return ANY
    origin = get_origin(shape) or shape
    if get_origin(shape) is typing.Literal:
        return _attribute_one(_literal_type(shape), name)
    if is_typeddict(shape):
        hints = _hints(shape)
        if name in hints:
            return hints[name]
        return ANY if name in _public(dict) else MISSING
    if origin in _MAPPINGS:
        args = get_args(shape)
        if name in _public(dict):
            return ANY
        return args[1] if len(args) == 2 else ANY
    if origin in _LISTS:
        return ANY if name in _public(list if origin is not tuple else tuple) else MISSING
    if not isinstance(origin, type) or origin is object:
        return ANY
    if origin in _PLAIN or issubclass(origin, PurePath):
        return ANY if hasattr(origin, name) and not name.startswith("_") else MISSING
    hints = _hints(origin)
    if name in hints:
        return hints[name]
    member = inspect.getattr_static(origin, name, MISSING)
    if member is MISSING:
        if dataclasses.is_dataclass(origin) or hints or getattr(origin, "__slots__", None) is not None:
            return MISSING
        return ANY  # a class that says nothing of its attributes: anything may be set on it
    if isinstance(member, property) and member.fget is not None:
        return _hints(member.fget).get("return", ANY)
    return ANY


def item(shape: Any, key: Any) -> Any:
    """The shape of ``value[key]``: a key of a TypedDict (by name), an element of a list."""
    if isinstance(key, str):
        return attribute(shape, key)
    return element(shape)


def element(shape: Any) -> Any:
    """The shape of what ``{% for x in value %}`` gives."""
    results = []
    for alt in alternatives(shape) or [ANY]:
        origin = get_origin(alt) or alt
        args = get_args(alt)
        if alt is ANY or origin not in _LISTS + _MAPPINGS:
            results.append(ANY)
        elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            results.append(args[0])
        elif origin in _MAPPINGS or origin is tuple:
            results.append(args[0] if origin in _MAPPINGS and args else ANY)
        else:
            results.append(args[0] if args else ANY)
    return union(results)


def kind(shape: Any) -> str | None:
    """How a hint names the kind of a value whose attribute is missing ("a text", "a number")."""
    alts = alternatives(shape)
    if len(alts) != 1:
        return None
    origin = get_origin(alts[0]) or alts[0]
    if origin is str:
        return "a text"
    if origin in (int, float):
        return "a number"
    if origin is bool:
        return "yes or no"
    if origin in _LISTS:
        return "a list"
    if origin in (datetime.datetime, datetime.date):
        return "a date"
    return None
