"""The node's own Chromium for browser control (the `browser-automation` capability)."""

from .capability import imported

_wit = imported("browser-automation")

AutomationStatus = _wit.AutomationStatus
Tab = _wit.Tab
ConsoleEntry = _wit.ConsoleEntry
PageError = _wit.PageError
RequestEntry = _wit.RequestEntry
PageLog = _wit.PageLog
Dialog = _wit.Dialog
DialogState = _wit.DialogState
Download = _wit.Download
UploadFile = _wit.UploadFile
SystemReport = _wit.SystemReport
status = _wit.status
start = _wit.start
stop = _wit.stop
tabs = _wit.tabs
open_tab = _wit.open_tab
focus_tab = _wit.focus_tab
close_tab = _wit.close_tab
label_tab = _wit.label_tab
send = _wit.send
logs = _wit.logs
dialogs = _wit.dialogs
answer_dialog = _wit.answer_dialog
arm_dialog = _wit.arm_dialog
current_tab = _wit.current_tab
keep_note = _wit.keep_note
note = _wit.note
save_media = _wit.save_media
arm_download = _wit.arm_download
await_download = _wit.await_download
watch_downloads = _wit.watch_downloads
collect_downloads = _wit.collect_downloads
set_input_files = _wit.set_input_files
arm_file_chooser = _wit.arm_file_chooser
await_file_chooser = _wit.await_file_chooser
stage_upload = _wit.stage_upload
discard_upload = _wit.discard_upload
system_info = _wit.system_info
