"""Processes on the node (the `exec` capability).

The host applies the operator's exec approvals to every call; a plugin only shapes requests.
`which` and `run` are the Python shapes of the contract's functions; the raw ones stay
reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("exec")

RunRequest = raw.RunRequest
RunOutput = raw.RunOutput
screen_recording_permitted = raw.screen_recording_permitted


def which(bins: list[str]) -> dict[str, str]:
    """The path of each name found on the node's PATH; names not found are left out."""
    return dict(raw.which(list(bins)))


def request(
    argv: list[str],
    *,
    raw_command: Optional[str] = None,
    cwd: Optional[str] = None,
    env: Optional[dict[str, str]] = None,
    timeout_ms: Optional[int] = None,
    agent_id: Optional[str] = None,
    session_key: Optional[str] = None,
    run_id: Optional[str] = None,
    notify_on_exit: bool = False,
) -> RunRequest:
    """A run request: argv and whatever else is given; the node's defaults for the rest."""
    return RunRequest(
        argv=list(argv),
        raw_command=raw_command,
        cwd=cwd,
        env=list((env or {}).items()),
        timeout_ms=timeout_ms,
        agent_id=agent_id,
        session_key=session_key,
        run_id=run_id,
        suppress_notify_on_exit=not notify_on_exit,
    )


@raises_failure
def run(argv: list[str], **options) -> RunOutput:
    """Runs argv when the approvals allow it (options as `request` takes them).

    A denial raises a `Failure` with code `SYSTEM_RUN_DENIED`.
    """
    return raw.run(request(argv, **options))


@raises_failure
def prepare(argv: list[str], **options) -> str:
    """What `run` would execute, as the `system.run.prepare` payload (JSON text)."""
    return raw.prepare(request(argv, **options))
