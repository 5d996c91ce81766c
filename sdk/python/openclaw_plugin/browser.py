"""The node's canvas page (the `browser` capability): present, navigate, evaluate, capture."""

from .capability import imported

_wit = imported("browser")

Placement = _wit.Placement
ImageFormat = _wit.ImageFormat
CaptureOptions = _wit.CaptureOptions
Image = _wit.Image
ControlRequest = _wit.ControlRequest
ControlResponse = _wit.ControlResponse
present = _wit.present
hide = _wit.hide
navigate = _wit.navigate
evaluate = _wit.evaluate
capture = _wit.capture
control = _wit.control
