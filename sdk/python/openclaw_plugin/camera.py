"""The node's V4L2 cameras (the `camera` capability): pictures (JPEG) and clips (mp4), base64.

`snap`, `snap_delayed` and `capture_clip` take keyword options and raise a `Failure`; the raw
bindings stay reachable as `raw`.
"""

from .capability import imported, raises_failure

raw = imported("camera")

Device = raw.Device
Picture = raw.Picture
Clip = raw.Clip
devices = raw.devices


@raises_failure
def snap(device_id: str, *, max_width: int = 1600, quality: int = 90) -> Picture:
    """One frame, at most `max_width` wide, JPEG `quality` 1..=100."""
    return raw.snap(device_id, max_width, quality)


@raises_failure
def snap_delayed(
    device_id: str, delay_ms: int, *, max_width: int = 1600, quality: int = 90
) -> Picture:
    """As `snap`, but the frame `delay_ms` (at most 10000) into the video, exposure settled."""
    return raw.snap_delayed(device_id, max_width, quality, delay_ms)


@raises_failure
def capture_clip(device_id: str, *, duration_ms: int = 3_000) -> Clip:
    """A clip of `duration_ms`, clamped to 60 s."""
    return raw.capture_clip(device_id, duration_ms)
