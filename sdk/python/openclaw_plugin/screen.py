"""The node's display (the `screen` capability): recordings."""

from .capability import imported

_wit = imported("screen")

Recording = _wit.Recording
display = _wit.display
capture = _wit.capture
