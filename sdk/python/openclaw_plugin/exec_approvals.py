"""Reading and replacing the exec approvals (the `exec-approvals` capability)."""

from .capability import imported

_wit = imported("exec-approvals")

get = _wit.get
set = _wit.set
