"""What a tab's page does and shows: DevTools commands, logs, dialogs, notes, media (the `browser-automation` capability)."""

from .capability import imported

_wit = imported("browser-page", "browser-automation")

ConsoleEntry = _wit.ConsoleEntry
PageError = _wit.PageError
RequestEntry = _wit.RequestEntry
PageLog = _wit.PageLog
Dialog = _wit.Dialog
DialogState = _wit.DialogState
send = _wit.send
logs = _wit.logs
dialogs = _wit.dialogs
answer_dialog = _wit.answer_dialog
arm_dialog = _wit.arm_dialog
keep_note = _wit.keep_note
note = _wit.note
save_media = _wit.save_media
