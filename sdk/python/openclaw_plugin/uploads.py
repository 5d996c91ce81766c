"""Files handed to the node to keep for a while (the `uploads` capability, terminal uploads).

Each lies in a fresh private dir under the system temp dir and is removed 24 hours later.
`stage` raises a `Failure`; the raw bindings stay reachable as `raw`.
"""

from .capability import imported, raises_failure

raw = imported("uploads")

Staged = raw.Staged


@raises_failure
def stage(name: str, content: bytes) -> Staged:
    """Stages `content` as a file named `name` (one plain file name, which the plugin sanitises).

    Every failure is `INVALID_REQUEST`, in the real node host's words.
    """
    return raw.stage(name, content)
