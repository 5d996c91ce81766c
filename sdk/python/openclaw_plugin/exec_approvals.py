"""Reading and replacing the node's exec approvals (the `exec-approvals` capability).

A grant of its own: whoever edits the approvals decides what `exec` may run. Both functions
raise a `Failure`; the raw bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("exec-approvals")


@raises_failure
def get() -> str:
    """The approvals as JSON text: `{path, exists, hash, file}`."""
    return raw.get()


@raises_failure
def set(file_json: str, base_hash: Optional[str] = None) -> str:
    """Replaces the approvals document; `base_hash` must name the stored one. Answers as `get`."""
    return raw.set(file_json, base_hash)
