"""Files given to a tab's page (the `browser-automation` capability): file inputs and
choosers, from the node's upload dir and inbound media, and uploads a request carried.

The functions raise a `Failure` and take keyword options; `stage_upload` takes a dict of
name to content. The raw bindings stay reachable as `raw`.
"""

from typing import Union

from .capability import imported, raises_failure

raw = imported("browser-files", "browser-automation")

UploadFile = raw.UploadFile


@raises_failure
def set_input_files(target_id: str, object_id: str, paths: list[str]) -> None:
    """Gives the file input `object_id` (a remote object of the tab's page) the files at `paths`."""
    raw.set_input_files(target_id, object_id, list(paths))


@raises_failure
def arm_file_chooser(target_id: str, paths: list[str], *, ttl_ms: int = 120_000) -> int:
    """Arms the tab's next file chooser to get `paths`; answers the arm for `await_file_chooser`."""
    return raw.arm_file_chooser(target_id, list(paths), ttl_ms)


@raises_failure
def await_file_chooser(arm: int, *, timeout_ms: int = 30_000) -> None:
    """Waits until an armed chooser opened and took its files."""
    raw.await_file_chooser(arm, timeout_ms)


@raises_failure
def stage_upload(files: Union[dict[str, bytes], list[UploadFile]]) -> list[str]:
    """Stages files (name to content, in order) in a fresh private dir; answers their paths."""
    if isinstance(files, dict):
        files = [UploadFile(name=name, content=content) for name, content in files.items()]
    return raw.stage_upload(list(files))


@raises_failure
def discard_upload(path: str) -> None:
    """Removes a staged upload at once, given a path `stage_upload` answered."""
    raw.discard_upload(path)
