"""What the automation browser's tabs download (the `browser-automation` capability), kept in
the node's private downloads dir.

The functions take keyword options, and those that can fail raise a `Failure`; the raw
bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("browser-downloads", "browser-automation")

Download = raw.Download


@raises_failure
def arm_download(target_id: str, *, file_name: Optional[str] = None) -> int:
    """Arms a waiter for the tab's next download, kept as `file_name` or `<uuid>-<its name>`.

    Answers the waiter for `await_download`.
    """
    return raw.arm_download(target_id, file_name)


@raises_failure
def await_download(waiter: int, *, timeout_ms: int = 30_000) -> Download:
    """Waits for an armed waiter's download; none in time raises a `Failure` (`TIMEOUT`)."""
    return raw.await_download(waiter, timeout_ms)


@raises_failure
def watch_downloads(target_id: str) -> int:
    """Starts collecting what the tab downloads; answers the watch for `collect_downloads`."""
    return raw.watch_downloads(target_id)


def collect_downloads(watch: int, *, expected: bool = False) -> list[Download]:
    """Ends a watch; answers the downloads that finished (waiting longer when `expected`)."""
    return raw.collect_downloads(watch, expected)
