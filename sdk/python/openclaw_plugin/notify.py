"""Desktop notifications on the node (the `notify` capability)."""

from .capability import imported

_wit = imported("notify")

Urgency = _wit.Urgency
Notification = _wit.Notification
send = _wit.send
