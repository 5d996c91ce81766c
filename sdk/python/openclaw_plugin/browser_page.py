"""What a tab's page does and shows (the `browser-automation` capability): DevTools commands,
logs, dialogs, notes kept with the tab, and media saved from it.

The functions that can fail raise a `Failure` and take keyword options; the raw bindings stay
reachable as `raw`.
"""

from typing import Optional

from .capability import imported, raises_failure

raw = imported("browser-page", "browser-automation")

ConsoleEntry = raw.ConsoleEntry
PageError = raw.PageError
RequestEntry = raw.RequestEntry
PageLog = raw.PageLog
Dialog = raw.Dialog
DialogState = raw.DialogState
note = raw.note


@raises_failure
def send(
    target_id: str, method: str, params_json: str = "{}", *, timeout_ms: int = 30_000
) -> str:
    """Sends one DevTools command to the tab's page; answers the reply's `result` as JSON text.

    The host allows page commands only.
    """
    return raw.send(target_id, method, params_json, timeout_ms)


@raises_failure
def logs(target_id: str, *, clear_errors: bool = False, clear_requests: bool = False) -> PageLog:
    """What the tab logged, oldest first; its errors or requests are then forgotten when asked."""
    return raw.logs(target_id, clear_errors, clear_requests)


@raises_failure
def dialogs(target_id: str) -> DialogState:
    """The tab's open dialogs, and the last ones closed."""
    return raw.dialogs(target_id)


@raises_failure
def answer_dialog(
    target_id: str,
    accept: bool,
    *,
    dialog_id: Optional[str] = None,
    prompt_text: Optional[str] = None,
) -> None:
    """Answers an open dialog now: `dialog_id`, or the only one open."""
    raw.answer_dialog(target_id, dialog_id, accept, prompt_text)


@raises_failure
def arm_dialog(
    target_id: str, accept: bool, *, prompt_text: Optional[str] = None, ttl_ms: int = 120_000
) -> None:
    """Arms a one-time answer for the tab's next dialog, good for `ttl_ms`."""
    raw.arm_dialog(target_id, accept, prompt_text, ttl_ms)


@raises_failure
def keep_note(target_id: str, key: str, value: str) -> None:
    """Keeps a note with a tab until it closes or the browser stops; `note` reads it back."""
    raw.keep_note(target_id, key, value)


@raises_failure
def save_media(extension: str, content: bytes) -> str:
    """Saves a file the browser made (a screenshot, a PDF) as the node's media; answers its path."""
    return raw.save_media(extension, content)
