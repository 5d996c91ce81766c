"""Processes on the node (the `exec` capability).

The host applies the operator's exec approvals to every call; a plugin only shapes requests.
"""

from .capability import imported

_wit = imported("exec")

RunRequest = _wit.RunRequest
RunOutput = _wit.RunOutput
which = _wit.which
prepare = _wit.prepare
run = _wit.run
screen_recording_permitted = _wit.screen_recording_permitted
