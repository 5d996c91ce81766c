"""Files given to a tab's page, and uploads a request carried (the `browser-automation` capability)."""

from .capability import imported

_wit = imported("browser-files", "browser-automation")

UploadFile = _wit.UploadFile
set_input_files = _wit.set_input_files
arm_file_chooser = _wit.arm_file_chooser
await_file_chooser = _wit.await_file_chooser
stage_upload = _wit.stage_upload
discard_upload = _wit.discard_upload
