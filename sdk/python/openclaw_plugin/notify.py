"""Desktop notifications on the node (the `notify` capability), through the freedesktop
service on the session D-Bus.

`send` takes the notification's fields as arguments (the urgency by name, `"normal"` unless
given) and raises a `Failure`; the raw bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import choice, imported, raises_failure

raw = imported("notify")

Urgency = raw.Urgency
Notification = raw.Notification


@raises_failure
def send(title: str, body: str = "", *, sound: Optional[str] = None, urgency="normal") -> int:
    """Shows a notification; answers the id the service gave. No service is a `Failure`.

    `sound` is a freedesktop sound name; `urgency` is `"low"`, `"normal"` or `"critical"`
    (or an `Urgency`).
    """
    urgency = choice(Urgency, urgency)
    return raw.send(Notification(title=title, body=body, sound=sound, urgency=urgency))
