"""The host log (the `log` capability): lines tagged with the plugin's name.

Outside a component (a project's own tests) the lines go to stderr instead.
"""

import sys

try:
    from wit_world.imports.log import Level, write
except ImportError:
    Level = None
    write = None


def _line(level: str, message: str) -> None:
    if write is None:
        print(f"[{level}] {message}", file=sys.stderr)
    else:
        write(getattr(Level, level.upper()), message)


def debug(message: str) -> None:
    _line("debug", message)


def info(message: str) -> None:
    _line("info", message)


def warn(message: str) -> None:
    _line("warn", message)


def error(message: str) -> None:
    _line("error", message)
