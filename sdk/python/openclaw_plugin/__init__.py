"""The SDK for OpenClaw node plugins in Python.

A plugin module declares `plugin = Plugin(caps=[...])` and its commands with
`@plugin.command(name, summary)`; `openclaw plugins build` makes it a component. Capabilities
are the modules `openclaw_plugin.exec`, `.fs`, `.log`, ...; a plugin imports those it lists in
`[tool.openclaw] capabilities`, and the node links each only where the operator granted it.
"""

from .failure import Failure, code
from .params import NoParams
from .plugin import Call, Plugin

__all__ = ["Call", "Failure", "NoParams", "Plugin", "code"]
