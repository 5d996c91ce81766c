"""Reaching a capability the component imports, with a clear word when it does not."""

import importlib
import importlib.util


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
