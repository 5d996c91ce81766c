"""The automation browser's life and tabs (the `browser-automation` capability).

A Chromium of its own that browser control drives, never the canvas's. Tabs are named `t1`,
`t2`, ... as they are first seen, and may carry a label. The functions that can fail raise a
`Failure` and take keyword options; the raw bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("browser-tabs", "browser-automation")

AutomationStatus = raw.AutomationStatus
Tab = raw.Tab
SystemReport = raw.SystemReport
status = raw.status
stop = raw.stop
current_tab = raw.current_tab


@raises_failure
def start(*, headless: Optional[bool] = None) -> None:
    """Starts the browser unless it runs (a running one is left as it is)."""
    raw.start(headless)


@raises_failure
def tabs() -> Optional[list[Tab]]:
    """The page tabs, named; `None` when the browser does not run."""
    return raw.tabs()


@raises_failure
def open_tab(url: str, *, label: Optional[str] = None) -> Tab:
    """Opens `url` in a new background tab, named (and labelled) at once."""
    return raw.open_tab(url, label)


@raises_failure
def focus_tab(target_id: str) -> None:
    raw.focus_tab(target_id)


@raises_failure
def close_tab(target_id: str) -> None:
    raw.close_tab(target_id)


@raises_failure
def label_tab(target_id: str, label: str) -> Tab:
    """Labels a tab; another tab with that label loses it."""
    return raw.label_tab(target_id, label)


@raises_failure
def system_info() -> SystemReport:
    """What the running browser says of its graphics and system, read once per run."""
    return raw.system_info()
