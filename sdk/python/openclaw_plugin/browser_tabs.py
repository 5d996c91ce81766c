"""The automation browser's life and tabs (the `browser-automation` capability)."""

from .capability import imported

_wit = imported("browser-tabs", "browser-automation")

AutomationStatus = _wit.AutomationStatus
Tab = _wit.Tab
SystemReport = _wit.SystemReport
status = _wit.status
start = _wit.start
stop = _wit.stop
tabs = _wit.tabs
open_tab = _wit.open_tab
focus_tab = _wit.focus_tab
close_tab = _wit.close_tab
label_tab = _wit.label_tab
current_tab = _wit.current_tab
system_info = _wit.system_info
