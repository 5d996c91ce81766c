"""The class the component exports (`openclaw:plugin/plugin`), made from a `Plugin`.

Only a build imports this module: `wit_world` exists inside the component alone.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import types

from .failure import Failure
from .plugin import Plugin


def export(plugin: Plugin) -> type:
    class Exported(exports.Plugin):
        def describe(self) -> types.Surface:
            commands = [types.CommandInfo(c.name, c.summary) for c in plugin.commands.values()]
            return types.Surface(caps=list(plugin.caps), commands=commands)

        def invoke(self, call, command, params_json):
            try:
                return plugin.invoke(call, command, params_json)
            except Failure as e:
                raise Err(types.Failure(code=e.code, message=e.wire_message())) from None

    return Exported
