"""A plugin's caps and commands, and how an invoke reaches a command."""

import dataclasses
import inspect
import json
import typing
from typing import Callable, Optional

from .failure import Failure
from .params import decode


@dataclasses.dataclass
class Call:
    """The invoke being served (the component passes the host's own record, with these names)."""

    invoke_id: str = "local"
    node_id: str = "local"
    #: Milliseconds the gateway still waits for the answer.
    timeout_ms: int = 30_000
    idempotency_key: Optional[str] = None

    @classmethod
    def local(cls) -> "Call":
        """The call a plugin's own tests pass: ids `local`, 30 s left, no idempotency key."""
        return cls()


@dataclasses.dataclass
class Command:
    name: str
    summary: str
    handler: Callable
    params: object


class Plugin:
    """Declare one at module level as `plugin`, and its commands with `@plugin.command`."""

    def __init__(self, caps: list[str]):
        self.caps = list(caps)
        self.commands: dict[str, Command] = {}

    def command(self, name: str, summary: str):
        """Registers `handler(call, params)` as command `name`.

        The params' annotation is their type: a dataclass (checked field by field), `dict`,
        `NoParams`, or none for any JSON. The handler answers anything `json.dumps` takes (a
        dataclass too), or raises a `Failure`.
        """

        def register(handler):
            if name in self.commands:
                raise ValueError(f"command {name} is declared twice")
            self.commands[name] = Command(name, summary, handler, _params_type(handler))
            return handler

        return register

    def invoke(self, call, command: str, params_json: Optional[str]) -> str:
        """Runs `command` with the invoke's params JSON; answers the payload as JSON text."""
        found = self.commands.get(command)
        if found is None:
            raise Failure.unavailable("command not supported")
        try:
            value = {} if params_json is None else json.loads(params_json)
        except ValueError:
            raise Failure.invalid("paramsJSON malformed JSON") from None
        try:
            params = decode(found.params, value)
            answer = found.handler(call, params)
            return json.dumps(answer, default=_plain)
        except Exception as e:
            raise Failure.of(e) from e


def _params_type(handler):
    """The type of the handler's params: the annotation of its second argument."""
    positional = [
        p
        for p in inspect.signature(handler).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) != 2:
        raise TypeError(f"{handler.__name__} must take (call, params)")
    return typing.get_type_hints(handler).get(positional[1].name)


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
