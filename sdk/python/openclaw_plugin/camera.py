"""The node's cameras (the `camera` capability): devices, pictures and clips."""

from .capability import imported

_wit = imported("camera")

Device = _wit.Device
Picture = _wit.Picture
Clip = _wit.Clip
devices = _wit.devices
snap = _wit.snap
snap_delayed = _wit.snap_delayed
capture_clip = _wit.capture_clip
