"""Reaching a capability the component imports, with a clear word when it does not; and what
the capability modules share to give its bindings a Python shape."""

import functools
import importlib
import importlib.util

from .failure import Failure


def imported(interface: str, capability: str = ""):
    """The bindings of `interface` (`exec`, `fs`, ...) inside the component.

    `capability` is the grant that carries it, where that has another name
    (`browser-tabs` is part of `browser-automation`).
    """
    capability = capability or interface
    if importlib.util.find_spec("wit_world") is None:
        raise ImportError(
            f"capability `{capability}` exists only inside the built component "
            "(`openclaw plugins build`, then `openclaw plugins invoke`)"
        )
    try:
        return importlib.import_module(f"wit_world.imports.{interface.replace('-', '_')}")
    except ImportError:
        raise ImportError(
            f"this plugin does not import capability `{capability}`: add it to "
            "[tool.openclaw] capabilities in pyproject.toml and build again "
            "(the operator must grant it too)"
        ) from None


def raises_failure(function):
    """`function`, raising what it raises as a `Failure`: a capability's failure keeps its code."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as e:
            raise Failure.of(e) from None

    return wrapper


def choice(kind, value):
    """`value` as a case of the bindings' enum `kind`: the case itself, or its name (`"low"`)."""
    if isinstance(value, kind):
        return value
    try:
        return kind[str(value).upper().replace("-", "_")]
    except KeyError:
        names = ", ".join(case.name.lower() for case in kind)
        raise ValueError(f"{value!r} is not one of {names}") from None
