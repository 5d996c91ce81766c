"""which-py: finds programs on the node's PATH, through the `exec` capability."""

from dataclasses import dataclass

from openclaw_plugin import Call, Failure, Plugin, exec, log

plugin = Plugin(caps=["which-py"])


@dataclass
class Greet:
    name: str


@dataclass
class Which:
    bins: list[str]


@plugin.command("which-py.greet", "Greets someone by name")
def greet(_call: Call, params: Greet) -> dict:
    return {"greeting": f"Hello, {params.name}!"}


@plugin.command("which-py.which", "Finds programs on the node's PATH")
def which(_call: Call, params: Which) -> dict:
    if not params.bins:
        raise Failure.invalid("bins must not be empty")
    log.info(f"looking for {len(params.bins)} programs")
    return {"bins": exec.which(params.bins)}
