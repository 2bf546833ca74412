"""dgphone: drive the DGPhone softphone (TCP 5038) from Python.

A binding of libdgphone's C ABI over ctypes: the library does the
protocol; this package gives it typed events, exceptions and Python's
ways of waiting (a callback, an iterator, asyncio). See README.md.
"""

from ._native import HEADER_VERSION, LIBRARY_VERSION, LibraryNotFound, VersionMismatch
from .client import Client, EventCallback, LineInfo, LogCallback, version
from .errors import (
    AlreadyConnectedError,
    AlreadyLoggedInError,
    BufferTooSmallError,
    CancelledError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    DGPhoneError,
    InternalError,
    InvalidArgumentError,
    LoginRejectedError,
    NoConfirmationError,
    NotConnectedError,
    NotLoggedInError,
    NotUtf8Error,
    NullPointerError,
    ResourceError,
    ScenarioFailedError,
    TimeoutError,
    WouldDeadlockError,
)
from .events import (
    AgentState,
    DisconnectReason,
    Event,
    EventKind,
    HoldMode,
    LineState,
    LogLevel,
    OverflowPolicy,
)

__version__ = "0.1.0"

__all__ = [
    "HEADER_VERSION",
    "LIBRARY_VERSION",
    "LibraryNotFound",
    "VersionMismatch",
    "Client",
    "EventCallback",
    "LineInfo",
    "LogCallback",
    "version",
    "AlreadyConnectedError",
    "AlreadyLoggedInError",
    "BufferTooSmallError",
    "CancelledError",
    "CommandFailedError",
    "ConnectError",
    "ConnectionLostError",
    "DGPhoneError",
    "InternalError",
    "InvalidArgumentError",
    "LoginRejectedError",
    "NoConfirmationError",
    "NotConnectedError",
    "NotLoggedInError",
    "NotUtf8Error",
    "NullPointerError",
    "ResourceError",
    "ScenarioFailedError",
    "TimeoutError",
    "WouldDeadlockError",
    "AgentState",
    "DisconnectReason",
    "Event",
    "EventKind",
    "HoldMode",
    "LineState",
    "LogLevel",
    "OverflowPolicy",
]
