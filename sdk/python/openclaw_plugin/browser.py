"""The node's canvas and browser (the `browser` capability): one headless Chromium page the
host owns, and that browser's control endpoint (loopback only).

The functions take keyword options instead of records (`present(width=800)`,
`capture(format="jpeg")`, `control("GET", "/json/version", query={...})`) and raise a
`Failure`; the raw bindings stay reachable as `raw`.
"""

from typing import Optional

from .capability import choice, imported, raises_failure

raw = imported("browser")

Placement = raw.Placement
ImageFormat = raw.ImageFormat
CaptureOptions = raw.CaptureOptions
Image = raw.Image
ControlRequest = raw.ControlRequest
ControlResponse = raw.ControlResponse


@raises_failure
def present(
    *,
    x: Optional[int] = None,
    y: Optional[int] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> None:
    """Shows the canvas window, placed as asked; what is not given keeps its value."""
    raw.present(Placement(x=x, y=y, width=width, height=height))


@raises_failure
def hide() -> None:
    """Hides the window; the page stays loaded."""
    raw.hide()


@raises_failure
def navigate(target: str) -> str:
    """Loads a URL or an absolute file path and waits for it; answers the URL loaded."""
    return raw.navigate(target)


@raises_failure
def evaluate(script: str, *, timeout_ms: int = 30_000) -> str:
    """Runs JavaScript in the page, awaiting a promise; answers the value as JSON text."""
    return raw.evaluate(script, timeout_ms)


@raises_failure
def capture(
    *, format="png", quality: Optional[int] = None, max_width: Optional[int] = None
) -> Image:
    """A picture of the canvas, `"png"` or `"jpeg"` (`quality` 1..=100), `max_width` at most."""
    format = choice(ImageFormat, format)
    return raw.capture(CaptureOptions(format=format, quality=quality, max_width=max_width))


@raises_failure
def control(
    method: str,
    path: str,
    *,
    query: Optional[dict[str, str]] = None,
    body: Optional[str] = None,
    timeout_ms: int = 30_000,
) -> ControlResponse:
    """One HTTP request (`GET`, `POST` or `DELETE`) to the browser control endpoint.

    `body` is JSON text; bodies over 24 MiB raise a `Failure` with code `PAYLOAD_TOO_LARGE`.
    """
    pairs = list((query or {}).items())
    return raw.control(ControlRequest(method, path, pairs, body, timeout_ms))
