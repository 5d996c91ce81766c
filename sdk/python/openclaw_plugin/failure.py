"""How a command fails: a protocol error code and a message."""


class code:
    """The error codes of the OpenClaw protocol, as a failure carries them."""

    #: The caller's mistake: bad params, something that does not exist.
    INVALID_REQUEST = "INVALID_REQUEST"
    #: The node could not do it now: a device, a file or a service failed.
    UNAVAILABLE = "UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    FORBIDDEN = "FORBIDDEN"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


class Failure(Exception):
    """Raise it from a command to answer the operator with `code` and `message`."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(self.wire_message())

    def wire_message(self) -> str:
        """The message as the operator reads it.

        An `INVALID_REQUEST` reason is prefixed with its code, as the real node host words
        them; a message that already starts with the code (or with `Error: `, as the real
        words a thrown error) is left as it is, so a host's failure is never prefixed twice.
        """
        worded = self.message.startswith((self.code, "Error: "))
        if self.code == code.INVALID_REQUEST and not worded:
            return f"{self.code}: {self.message}"
        return self.message

    @staticmethod
    def invalid(message: str) -> "Failure":
        """`INVALID_REQUEST`: the caller's mistake. The message is the reason alone."""
        return Failure(code.INVALID_REQUEST, message)

    @staticmethod
    def unavailable(message: str) -> "Failure":
        return Failure(code.UNAVAILABLE, message)

    @staticmethod
    def timeout(message: str) -> "Failure":
        return Failure(code.TIMEOUT, message)

    @staticmethod
    def of(error: BaseException) -> "Failure":
        """The failure an exception stands for, so that a command need not catch it.

        A capability's own failure (an `Err` carrying a code) keeps its code; bad values are
        the caller's mistake; anything else is the node's.
        """
        if isinstance(error, Failure):
            return error
        carried = getattr(error, "value", None)
        if isinstance(getattr(carried, "code", None), str):
            return Failure(carried.code, str(getattr(carried, "message", "")))
        if isinstance(error, (ValueError, KeyError, TypeError)):
            return Failure.invalid(_describe(error))
        return Failure.unavailable(_describe(error))


def _describe(error: BaseException) -> str:
    text = str(error)
    name = type(error).__name__
    return f"{name}: {text}" if text else name
