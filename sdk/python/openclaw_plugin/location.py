"""The node's position (the `location` capability)."""

from .capability import imported

_wit = imported("location")

Fix = _wit.Fix
current = _wit.current
