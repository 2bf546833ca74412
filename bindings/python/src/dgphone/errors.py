"""One exception hierarchy for every failure the library reports.

Each ``DGP_ERR_*`` code has its class; ``.code`` is the code and
``.message`` the library's own text (``dgp_last_error``, read on the
thread that failed), or, for the few checks the binding makes before a
call (a port out of range, a NUL inside a string, which ctypes would
otherwise truncate silently), the binding's.
"""

from __future__ import annotations

import builtins
from typing import Callable, Dict, Optional, Type

from . import _native


class DGPhoneError(Exception):
    """A call into libdgphone failed: ``code`` is its ``DGP_ERR_*`` value and
    ``message`` the library's description of this failure."""

    code: int = 0

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        name = _CODE_NAMES.get(self.code, str(self.code))
        return f"{self.message} ({name})" if self.message else name


class InvalidArgumentError(DGPhoneError, ValueError):
    """DGP_ERR_INVALID_ARGUMENT: a bad line, digit, control character or length; nothing was sent."""


class NullPointerError(DGPhoneError):
    """DGP_ERR_NULL_POINTER: a required argument was missing (a closed client, say)."""


class NotUtf8Error(DGPhoneError, ValueError):
    """DGP_ERR_NOT_UTF8: a string argument was not UTF-8; nothing was sent."""


class NotConnectedError(DGPhoneError):
    """DGP_ERR_NOT_CONNECTED."""


class AlreadyConnectedError(DGPhoneError):
    """DGP_ERR_ALREADY_CONNECTED."""


class ConnectError(DGPhoneError, builtins.ConnectionError):
    """DGP_ERR_CONNECT: the TCP connection could not be opened."""


class LoginRejectedError(DGPhoneError):
    """DGP_ERR_LOGIN_REJECTED: DGPhone refused the login; ``message`` is its text."""


class CommandFailedError(DGPhoneError):
    """DGP_ERR_COMMAND_FAILED: DGPhone answered Error or Busy."""


class TimeoutError(DGPhoneError, builtins.TimeoutError):
    """DGP_ERR_TIMEOUT: no answer, confirmation or event in time."""


class ConnectionLostError(DGPhoneError, builtins.ConnectionError):
    """DGP_ERR_CONNECTION_LOST: the connection ended during the call."""


class WouldDeadlockError(DGPhoneError):
    """DGP_ERR_WOULD_DEADLOCK: a blocking call (or close) from inside the event callback."""


class NoConfirmationError(DGPhoneError):
    """DGP_ERR_NO_CONFIRMATION: nothing confirms this command."""


class BufferTooSmallError(DGPhoneError):
    """DGP_ERR_BUFFER_TOO_SMALL."""


class InternalError(DGPhoneError):
    """DGP_ERR_INTERNAL: a bug caught at the library's boundary."""


class ResourceError(DGPhoneError):
    """DGP_ERR_RESOURCE: a thread, socket, pipe or file could not be created."""


class ScenarioFailedError(DGPhoneError, AssertionError):
    """DGP_ERR_SCENARIO_FAILED: a simulator scenario run failed."""


class NotLoggedInError(DGPhoneError):
    """DGP_ERR_NOT_LOGGED_IN: a command before the login was accepted; nothing was sent."""


class AlreadyLoggedInError(DGPhoneError):
    """DGP_ERR_ALREADY_LOGGED_IN: a login while logged in; nothing was sent."""


class CancelledError(DGPhoneError):
    """DGP_ERR_CANCELLED: ``Client.cancel`` interrupted the wait."""


ERROR_CLASSES: Dict[int, Type[DGPhoneError]] = {
    1: InvalidArgumentError,
    2: NullPointerError,
    3: NotUtf8Error,
    4: NotConnectedError,
    5: AlreadyConnectedError,
    6: ConnectError,
    7: LoginRejectedError,
    8: CommandFailedError,
    9: TimeoutError,
    10: ConnectionLostError,
    11: WouldDeadlockError,
    12: NoConfirmationError,
    13: BufferTooSmallError,
    14: InternalError,
    15: ResourceError,
    16: ScenarioFailedError,
    17: NotLoggedInError,
    18: AlreadyLoggedInError,
    19: CancelledError,
}

_CODE_NAMES: Dict[int, str] = {
    1: "DGP_ERR_INVALID_ARGUMENT",
    2: "DGP_ERR_NULL_POINTER",
    3: "DGP_ERR_NOT_UTF8",
    4: "DGP_ERR_NOT_CONNECTED",
    5: "DGP_ERR_ALREADY_CONNECTED",
    6: "DGP_ERR_CONNECT",
    7: "DGP_ERR_LOGIN_REJECTED",
    8: "DGP_ERR_COMMAND_FAILED",
    9: "DGP_ERR_TIMEOUT",
    10: "DGP_ERR_CONNECTION_LOST",
    11: "DGP_ERR_WOULD_DEADLOCK",
    12: "DGP_ERR_NO_CONFIRMATION",
    13: "DGP_ERR_BUFFER_TOO_SMALL",
    14: "DGP_ERR_INTERNAL",
    15: "DGP_ERR_RESOURCE",
    16: "DGP_ERR_SCENARIO_FAILED",
    17: "DGP_ERR_NOT_LOGGED_IN",
    18: "DGP_ERR_ALREADY_LOGGED_IN",
    19: "DGP_ERR_CANCELLED",
}


def error_for(code: int, message: str) -> DGPhoneError:
    """The exception for ``code`` (DGPhoneError itself for a code newer than
    this package)."""
    return ERROR_CLASSES.get(code, DGPhoneError)(code, message or _native.result_str(code))


def raise_for(code: int, reader: Optional[Callable[..., int]] = None) -> None:
    """Raises the exception for a failed call's ``code`` with this thread's
    last error message; does nothing for DGP_OK."""
    if code:
        raise error_for(code, _native.last_error(reader))


def invalid_argument(message: str) -> InvalidArgumentError:
    """The binding's own refusal, before anything crosses into the library."""
    return InvalidArgumentError(1, message)
