"""Recordings of the screens of the node's X display (the `screen` capability), as base64 mp4.

`capture` takes keyword options and raises a `Failure`; the raw bindings stay reachable as
`raw`.
"""

from .capability import imported, raises_failure

raw = imported("screen")

Recording = raw.Recording
display = raw.display


@raises_failure
def capture(screen_index: int = 0, *, duration_ms: int = 10_000, fps: int = 10) -> Recording:
    """Records X screen `screen_index` for `duration_ms` (clamped to 60 s) at `fps`."""
    return raw.capture(screen_index, duration_ms, fps)
