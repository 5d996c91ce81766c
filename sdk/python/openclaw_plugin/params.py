"""Typed params: the JSON object of an invoke, checked against a dataclass's fields."""

import dataclasses
import types
import typing

from .failure import Failure


@dataclasses.dataclass
class NoParams:
    """The params of a command that takes none: any object (its keys are ignored), or none."""


def decode(kind, value):
    """`value` (parsed JSON) as `kind`: a dataclass, a plain type, or `None` for anything."""
    return _convert(kind, value, "params")


def _convert(kind, value, where):
    if kind is None or kind is typing.Any:
        return value
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, value, where)
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _convert(option, value, where)
            except Failure as e:
                errors.append(e)
        raise errors[0]
    if origin is list:
        items = _expect(list, value, where)
        (item,) = args or (None,)
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(items)]
    if origin is dict:
        entries = _expect(dict, value, where)
        inner = args[1] if len(args) == 2 else None
        return {k: _convert(inner, v, f"{where}.{k}") for k, v in entries.items()}
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong(where, "a number", value)
        return float(value)
    if kind is int and isinstance(value, bool):
        raise _wrong(where, "an integer", value)
    return _expect(kind, value, where)


def _dataclass(kind, value, where):
    if kind is NoParams:
        if value is not None and not isinstance(value, dict):
            raise _wrong(where, "an object", value)
        return NoParams()
    entries = _expect(dict, value, where)
    hints = typing.get_type_hints(kind)
    given = {}
    for field in dataclasses.fields(kind):
        if field.name in entries:
            given[field.name] = _convert(hints.get(field.name), entries[field.name], f"{where}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise Failure.invalid(f"missing field `{field.name}` in {where}")
    return kind(**given)


_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "an array", dict: "an object"}


def _expect(kind, value, where):
    if not isinstance(value, kind):
        raise _wrong(where, _NAMES.get(kind, kind.__name__), value)
    return value


def _wrong(where, wanted, value):
    got = "null" if value is None else type(value).__name__
    return Failure.invalid(f"{where} must be {wanted}, not {got}")
