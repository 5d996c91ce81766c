"""The node's position (the `location` capability): gpsd, or a position from the config.

Off unless the operator turns it on (`LOCATION_DISABLED`). `current` takes keyword options
and raises a `Failure`; the raw bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("location")

Fix = raw.Fix


@raises_failure
def current(*, timeout_ms: int = 10_000, max_age_ms: Optional[int] = None) -> Fix:
    """A fix no older than `max_age_ms` (none: a new one), waiting up to `timeout_ms`.

    No fix in time raises a `Failure` with code `TIMEOUT`.
    """
    return raw.current(max_age_ms, timeout_ms)
