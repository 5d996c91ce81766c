"""What the automation browser's tabs download (the `browser-automation` capability)."""

from .capability import imported

_wit = imported("browser-downloads", "browser-automation")

Download = _wit.Download
arm_download = _wit.arm_download
await_download = _wit.await_download
watch_downloads = _wit.watch_downloads
collect_downloads = _wit.collect_downloads
