"""``dgphone.Client``: one connection to a DGPhone, over libdgphone's C ABI.

Threads. Every method may be called from any thread. The event callback
runs on the library's callback thread; inside it commands work, while
blocking calls (login, a command's confirmation wait, connect, close,
changing the callback) raise :class:`WouldDeadlockError`. ``close()``
waits for the running callback: never call it while holding a lock that
your callback takes.

Ctrl-C. A blocking call made on the main thread runs on a short-lived
helper thread while the main thread waits; Ctrl-C there cancels the call
(``dgp_cancel``) and raises KeyboardInterrupt as soon as it has
returned, which is at once: connect, login and a command's wait are all
cancellable. The ``events()``
iterator waits in ``select`` on the notification descriptor, which Ctrl-C
interrupts.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import logging
import select
import sys
import threading
import time
import weakref
from ctypes import byref, c_char_p, c_uint32, c_void_p
from dataclasses import dataclass
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Union,
)

from . import _native
from ._native import lib
from .errors import DGPhoneError, error_for, invalid_argument, raise_for
from .events import AgentState, Event, EventKind, HoldMode, LineState, LogLevel, OverflowPolicy, decode, decode_batch

__all__ = ["Client", "LineInfo", "EventCallback", "LogCallback"]

EventCallback = Callable[[Event], None]
LogCallback = Callable[[LogLevel, str], None]
Text = Union[str, bytes]

log = logging.getLogger("dgphone")

_U32_MAX = 0xFFFFFFFF
_I32_MIN, _I32_MAX = -(1 << 31), (1 << 31) - 1
_BATCH = 256  # events taken per crossing by the pull side
_SLICE_S = 0.1  # the longest select() before looking at close()
_RECORD_BUFFER = 64 * 1024  # dgp_next_records' buffer: hundreds of events
_COPY_BUFFER = 4096  # dgp_event_copy's buffer (512 holds a typical event)

# Callbacks the library may still call although their client could not be
# freed (a client collected on its own callback thread): kept forever, so a
# late call never reaches freed memory.
_orphans: List[Any] = []
_deferred_frees = 0  # clients freed by a helper thread (see Client._free_elsewhere)


class _ThreadPin:
    """Keeps one Python thread state for the library's callback thread.

    ctypes enters a callback on a foreign thread with PyGILState_Ensure and
    leaves with PyGILState_Release, which creates and destroys a thread
    state on every call when nothing else holds one: that alone cost four
    fifths of the callback rate (about 20k events/s against 100k/s). So at
    the first DGPhone event of a connection the trampoline takes one more
    PyGILState_Ensure, and the thread state lives on between events.

    It is let go on the callback thread itself, with the matching
    PyGILState_Release, when the callback has handled DGP_EVENT_DISCONNECTED
    (and close() disconnects first when one is pinned, so that event comes):
    ctypes' own release then deletes the thread state where it belongs.
    Deleting it from another thread is safe up to CPython 3.11 only (3.12
    unbinds the *calling* thread's GIL state there), so in the rare case of
    a pin still held after the client is freed (its DISCONNECTED lost to the
    overflow policy), 3.11 and older delete it and 3.12+ leave it to the
    interpreter's exit. CPython only; elsewhere nothing is pinned."""

    __slots__ = ("pinned", "tstate", "_state")

    def __init__(self) -> None:
        self.pinned = False
        self.tstate: Optional[int] = None
        self._state = 0

    def keep(self) -> None:
        """On the callback thread, inside a callback."""
        if not self.pinned and _PYAPI is not None:
            self._state = _PYAPI.PyGILState_Ensure()
            self.tstate = _PYAPI.PyGILState_GetThisThreadState()
            self.pinned = True

    def let_go(self) -> None:
        """On the callback thread, inside a callback: the extra Ensure's
        Release, so ctypes' own release at the callback's end deletes it."""
        if self.pinned and _PYAPI is not None:
            self.pinned = False
            self.tstate = None
            _PYAPI.PyGILState_Release(self._state)

    def release(self) -> None:
        """After dgp_client_free returned (no callback runs any more)."""
        tstate, self.tstate = self.tstate, None
        if not self.pinned or not tstate or _PYAPI is None:
            return
        self.pinned = False
        if sys.version_info < (3, 12):
            _PYAPI.PyThreadState_Clear(tstate)
            _PYAPI.PyThreadState_Delete(tstate)
        else:
            _orphans.append(tstate)  # the interpreter frees it at exit


def _python_api() -> Any:
    if sys.implementation.name != "cpython" or not hasattr(ctypes, "pythonapi"):
        return None
    api = ctypes.pythonapi  # a PyDLL: the GIL stays held during these calls
    api.PyGILState_Ensure.restype = ctypes.c_int
    api.PyGILState_Ensure.argtypes = []
    api.PyGILState_Release.restype = None
    api.PyGILState_Release.argtypes = [ctypes.c_int]
    api.PyGILState_GetThisThreadState.restype = ctypes.c_void_p
    api.PyGILState_GetThisThreadState.argtypes = []
    api.PyThreadState_Clear.restype = None
    api.PyThreadState_Clear.argtypes = [ctypes.c_void_p]
    api.PyThreadState_Delete.restype = None
    api.PyThreadState_Delete.argtypes = [ctypes.c_void_p]
    return api


_PYAPI = _python_api()

# Clients still open at exit are closed before the interpreter goes (no
# callback may run into a finalizing interpreter).
_live: "weakref.WeakSet[Client]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for client in list(_live):
        try:
            client.close()
        except BaseException:  # noqa: B036
            pass


@dataclass(frozen=True, slots=True)
class LineInfo:
    """One of DGPhone's six lines, as the client knows it."""

    line: int
    state: LineState
    number: str


def _text(value: Text, what: str) -> bytes:
    """UTF-8 for the library. A str that is not valid Unicode (a lone
    surrogate) goes as the bytes it stands for, so the library refuses it
    with DGP_ERR_NOT_UTF8; a NUL, which ctypes would silently cut the
    string at, is refused here."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise invalid_argument(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in data:
        raise invalid_argument(f"{what} contains a NUL character; nothing was sent")
    return data


def _optional_text(value: Optional[Text], what: str) -> Optional[bytes]:
    return None if value is None else _text(value, what)


def _i32(value: int, what: str) -> int:
    if not isinstance(value, int) or not _I32_MIN <= value <= _I32_MAX:
        raise invalid_argument(f"{what} {value!r} is not a 32-bit integer; nothing was sent")
    return value


def _u32(value: int, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= _U32_MAX:
        raise invalid_argument(f"{what} {value!r} is not an unsigned 32-bit integer")
    return value


def _ms(seconds: Optional[float], what: str) -> int:
    """Seconds (float) to the library's milliseconds; None is 0 (no wait)."""
    if seconds is None:
        return 0
    if seconds < 0:
        raise invalid_argument(f"{what} {seconds!r} is negative; nothing was sent")
    ms = int(round(seconds * 1000))
    if ms > _U32_MAX:
        raise invalid_argument(f"{what} {seconds!r} s is too long (at most {_U32_MAX // 1000} s)")
    return ms if ms or not seconds else 1


def _check(code: int) -> None:
    if code:
        raise_for(code)


class _Delivery:
    """The callback's side: the user's function, the reused buffer, and the
    ctypes trampoline the library calls. It holds no reference to the
    Client, so dropping the Client frees it (and no cycle keeps it)."""

    __slots__ = ("function", "on_error", "thread", "pin", "cfunc", "_buffer", "_view", "_capacity", "_address")

    def __init__(self, function: EventCallback, on_error: Callable[[BaseException], None], pin: _ThreadPin) -> None:
        self.function = function
        self.on_error = on_error
        self.thread: Optional[int] = None
        self.pin = pin
        self._resize(_COPY_BUFFER)
        self.cfunc = _native.EVENT_CALLBACK(self._make_trampoline())

    def _resize(self, capacity: int) -> None:
        self._buffer = bytearray(capacity)
        self._view = (ctypes.c_char * capacity).from_buffer(self._buffer)
        self._capacity = capacity
        self._address = ctypes.addressof(self._view)

    def _make_trampoline(self) -> Callable[[Optional[int], Optional[int]], None]:
        copy = _native.event_copy_fast
        too_small = _native.DGP_ERR_BUFFER_TOO_SMALL
        needed = c_uint32(0)
        needed_at = ctypes.addressof(needed)
        function = self.function
        state = self
        pin = self.pin
        disconnected = EventKind.DISCONNECTED
        # The hot values live in the closure (cheaper than attributes);
        # a resize updates both.
        buffer, address, capacity = self._buffer, self._address, self._capacity

        def trampoline(_user: Optional[int], event: Optional[int]) -> None:
            # Runs on the library's callback thread; nothing may escape it.
            nonlocal buffer, address, capacity
            kind = 0
            try:
                if state.thread is None:  # the first call: note the thread
                    state.thread = threading.get_ident()
                code = copy(event, address, capacity, needed_at)
                if code:
                    if code != too_small:
                        raise error_for(code, _native.last_error())
                    state._resize(max(needed.value, capacity * 2))
                    buffer, address, capacity = state._buffer, state._address, state._capacity
                    code = copy(event, address, capacity, needed_at)
                    if code:
                        raise error_for(code, _native.last_error())
                typed = decode(buffer, 0)[0]
                kind = typed.kind
                if kind >= 100 and not pin.pinned:
                    pin.keep()  # a connection's first DGPhone event
                function(typed)
            except BaseException as error:  # noqa: B036 - must never unwind into the library
                try:
                    state.on_error(error)
                except BaseException:  # noqa: B036
                    pass
            if kind == disconnected and pin.pinned:
                pin.let_go()

        return trampoline


def _report_callback_error(error: BaseException) -> None:
    log.error("exception in a dgphone event callback (the library goes on)", exc_info=error)


class _HelperCall:
    """One blocking call that the main thread makes on a helper thread, so
    that Ctrl-C (KeyboardInterrupt) stops the wait at once.

    The helper, not the main thread, holds the client busy while it is in
    the call: when Ctrl-C has raised and the program goes on to close(),
    close() cancels and waits until the call has returned, and never frees
    the handle under it. A call that Ctrl-C abandoned before the helper
    began is never made. The helper's end is an Event, not Thread.join():
    on CPython before 3.13 a KeyboardInterrupt inside join() can mark a
    thread stopped while it still runs, so a second join() returns at once
    (that let a client be freed under a login still starting)."""

    __slots__ = ("client", "function", "args", "state", "handle", "code", "message", "error", "done")

    def __init__(self, client: "Client", function: Any, args: Tuple[Any, ...]) -> None:
        self.client = client
        self.function = function
        self.args = args
        self.state = "new"  # then "running" and "done", or "abandoned"
        self.handle: Any = None
        self.code = 0
        self.message = ""
        self.error: Optional[BaseException] = None
        self.done = threading.Event()

    def wait(self) -> None:
        try:
            threading.Thread(target=self._run, name="dgphone-wait", daemon=True).start()
            self.done.wait()
        except BaseException:
            self._abandon()
            raise
        if self.error is not None:
            raise self.error
        if self.code:
            raise error_for(self.code, self.message)

    def _run(self) -> None:
        client = self.client
        with client._lock:
            if self.state == "abandoned":
                return
            try:
                self.handle = client._enter_locked()
            except DGPhoneError as error:
                self.error = error
                self.state = "done"
                self.done.set()
                return
            self.state = "running"
        try:
            self.code = self.function(self.handle, *self.args)
            if self.code:
                self.message = _native.last_error()  # this thread's channel
        except BaseException as error:  # noqa: B036 - ctypes' own errors, raised on the main thread
            self.error = error
        finally:
            with client._lock:
                self.state = "done"
            client._leave()
            self.done.set()

    def _abandon(self) -> None:
        """Interrupted: a call not begun is never made; one in progress is
        cancelled until it returns (a cancel just before it began waiting
        would be missed, so it is repeated)."""
        client = self.client
        while True:
            with client._lock:
                if self.state == "new":
                    self.state = "abandoned"
                if self.state != "running":
                    return
                lib.dgp_cancel(self.handle)  # never blocks; the handle is busy, so alive
            self.done.wait(0.05)


class Client:
    """A connection to one DGPhone (``dgp_client``): a context manager;
    ``close()`` frees it. Times are in seconds (floats); ``wait`` on a
    command is how long to wait for DGPhone's confirming event (None: return
    once sent)."""

    def __init__(
        self,
        on_event: Optional[EventCallback] = None,
        *,
        on_callback_error: Optional[Callable[[BaseException], None]] = None,
        connect_timeout: Optional[float] = None,
        command_timeout: Optional[float] = None,
        dead_peer_timeout: Optional[float] = None,
        tcp_keepalive_s: Optional[int] = None,
        reconnect: Optional[bool] = None,
        reconnect_initial: Optional[float] = None,
        reconnect_max: Optional[float] = None,
        reconnect_max_attempts: Optional[int] = None,
        queue_capacity: Optional[int] = None,
        overflow_policy: Optional[OverflowPolicy] = None,
        queue_with_callback: Optional[bool] = None,
        delivery_backlog: Optional[int] = None,
        callback_stack_size: int = 1 << 20,
        max_packet: Optional[int] = None,
        send_user: Optional[bool] = None,
        remote_mode: Optional[bool] = None,
        redact_dtmf: Optional[bool] = None,
        on_log: Optional[LogCallback] = None,
        log_level: Optional[LogLevel] = None,
        wire_log: Optional[str] = None,
    ) -> None:
        self._handle: Optional[Any] = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._busy = 0
        self._closed = False
        self._delivery: Optional[_Delivery] = None
        self._pin = _ThreadPin()
        self._log_cfunc: Optional[Any] = None
        self._on_callback_error = on_callback_error or _report_callback_error
        self._async_waiters: Set[Tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = set()
        self._pull_lock = threading.Lock()
        self._pending: List[Event] = []
        self._record_buffer: Optional[bytearray] = None
        self._record_view: Any = None
        self._copy_buffer = bytearray(_COPY_BUFFER)
        self._copy_view: Any = (ctypes.c_char * _COPY_BUFFER).from_buffer(self._copy_buffer)
        self._events_array = (c_void_p * _BATCH)()

        values: List[Tuple[str, Any]] = [
            ("connect_timeout_ms", None if connect_timeout is None else _ms(connect_timeout, "connect_timeout")),
            ("command_timeout_ms", None if command_timeout is None else _ms(command_timeout, "command_timeout")),
            ("dead_peer_timeout_ms", None if dead_peer_timeout is None else _ms(dead_peer_timeout, "dead_peer_timeout")),
            ("tcp_keepalive_s", tcp_keepalive_s),
            ("reconnect", None if reconnect is None else int(reconnect)),
            ("reconnect_initial_ms", None if reconnect_initial is None else _ms(reconnect_initial, "reconnect_initial")),
            ("reconnect_max_ms", None if reconnect_max is None else _ms(reconnect_max, "reconnect_max")),
            ("reconnect_max_attempts", reconnect_max_attempts),
            ("queue_capacity", queue_capacity),
            ("overflow_policy", None if overflow_policy is None else int(overflow_policy)),
            ("queue_with_callback", None if queue_with_callback is None else int(queue_with_callback)),
            ("delivery_backlog", delivery_backlog),
            ("callback_stack_size", callback_stack_size),
            ("max_packet", max_packet),
            ("send_user", None if send_user is None else int(send_user)),
            ("remote_mode", None if remote_mode is None else int(remote_mode)),
            ("redact_dtmf", None if redact_dtmf is None else int(redact_dtmf)),
            ("log_level", None if log_level is None else int(log_level)),
        ]
        options = lib.dgp_options_new()
        if not options:
            raise MemoryError("dgp_options_new")
        try:
            for field, value in values:
                if value is None:
                    continue
                if _native.OPTION_FIELDS[field] is ctypes.c_int32:
                    value = _i32(int(value), field)
                else:
                    value = _u32(int(value), field)
                _check(getattr(lib, f"dgp_options_set_{field}")(options, value))
            if wire_log is not None:
                _check(lib.dgp_options_set_wire_log(options, _text(wire_log, "wire_log")))
            if on_log is not None:
                self._log_cfunc = _native.LOG_CALLBACK(self._make_log_trampoline(on_log))
                _check(lib.dgp_options_set_log_callback(options, self._log_cfunc, None))
            handle = _native.ClientP()
            _check(lib.dgp_client_new(options, byref(handle)))
            self._handle = handle
        finally:
            lib.dgp_options_free(options)
        _live.add(self)
        if on_event is not None:
            self.set_callback(on_event)

    @staticmethod
    def _make_log_trampoline(on_log: LogCallback) -> Callable[[Optional[int], int, Optional[bytes]], None]:
        def trampoline(_user: Optional[int], level: int, message: Optional[bytes]) -> None:
            try:
                on_log(LogLevel(level), (message or b"").decode("utf-8", "replace"))
            except BaseException as error:  # noqa: B036 - must never unwind into the library
                try:
                    _report_callback_error(error)
                except BaseException:  # noqa: B036
                    pass

        return trampoline

    # -- life -------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if self._handle is not None and self._on_callback_thread():
                self._free_elsewhere()
            else:
                self.close()
        except BaseException:  # noqa: B036 - a finalizer must not raise
            pass

    def _free_elsewhere(self) -> None:
        """The last reference went on this client's own callback thread,
        where dgp_client_free is refused: a helper thread frees it (waiting
        for this callback to return), keeping the trampoline alive until
        then."""
        handle, delivery, log_cfunc, pin = self._handle, self._delivery, self._log_cfunc, self._pin
        self._closed = True
        self._handle = None

        def free() -> None:
            global _deferred_frees
            if pin.pinned:
                lib.dgp_disconnect(handle)  # see close()
            if lib.dgp_client_free(handle) == 0:
                pin.release()
            else:
                _orphans.append((handle, delivery, log_cfunc, pin))
            _deferred_frees += 1

        threading.Thread(target=free, name="dgphone-free", daemon=True).start()

    def __repr__(self) -> str:
        if self._handle is None:
            return "<dgphone.Client closed>"
        return f"<dgphone.Client connected={self.is_connected} logged_in={self.is_logged_in}>"

    @property
    def closed(self) -> bool:
        return self._handle is None

    def _enter(self) -> Any:
        with self._lock:
            return self._enter_locked()

    def _enter_locked(self) -> Any:
        """With ``_lock`` held: the handle, marked busy (close() waits for
        it to be left), or ClosedError."""
        if self._closed or self._handle is None:
            raise error_for(2, "the client is closed")
        self._busy += 1
        return self._handle

    def _leave(self) -> None:
        with self._lock:
            self._busy -= 1
            if self._busy == 0:
                self._idle.notify_all()

    def _on_callback_thread(self) -> bool:
        delivery = self._delivery
        return delivery is not None and delivery.thread == threading.get_ident()

    def close(self) -> None:
        """Disconnects and frees the client (``dgp_client_free``): after it
        returns no callback runs. Blocking calls in progress on other threads
        are cancelled first and waited for. Closing twice does nothing. From
        inside the event callback it raises WouldDeadlockError (the library's
        refusal) and the client stays open."""
        handle = self._handle
        if handle is None:
            return
        if self._on_callback_thread():
            _check(lib.dgp_client_free(handle))  # refused there: WOULD_DEADLOCK
            return
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while self._busy:
                lib.dgp_cancel(handle)
                self._idle.wait(0.05)
        self._wake_async_waiters()
        if self._pin.pinned:
            # The callback thread lets its thread state go when it has seen
            # DISCONNECTED, which dgp_disconnect waits for (free sends none).
            lib.dgp_disconnect(handle)
        code = lib.dgp_client_free(handle)
        if code == 11:  # freed from the callback thread by the garbage collector
            _orphans.append((handle, self._delivery, self._log_cfunc, self._pin))
        else:
            self._pin.release()  # no callback runs any more
        self._handle = None
        self._delivery = None
        self._log_cfunc = None

    # -- calls ------------------------------------------------------------

    def _call(self, function: Any, *args: Any) -> None:
        handle = self._enter()
        try:
            _check(function(handle, *args))
        finally:
            self._leave()

    def _blocking(self, function: Any, *args: Any) -> None:
        """A call that waits: on the main thread it runs on a helper thread,
        so Ctrl-C cancels it and raises at once."""
        if threading.current_thread() is threading.main_thread():
            _HelperCall(self, function, args).wait()
        else:
            self._call(function, *args)

    def _command(self, function: Any, wait: Optional[float], *args: Any) -> None:
        ms = _ms(wait, "wait")
        if ms:
            self._blocking(function, *args, ms)
        else:
            self._call(function, *args, 0)

    def connect(self, host: str = "127.0.0.1", port: int = 5038) -> None:
        """Connects (within the connect timeout) and starts the reader thread."""
        if not isinstance(port, int) or not 0 <= port <= 0xFFFF:
            raise invalid_argument(f"port {port!r} is not 0 to 65535; nothing was sent")
        self._blocking(lib.dgp_connect, _text(host, "host"), port)

    def disconnect(self) -> None:
        """Ends the connection (no reconnection); DISCONNECTED follows."""
        self._blocking(lib.dgp_disconnect)

    def login(self, user: Text) -> None:
        """Logs the extension in and waits for DGPhone's answer
        (LoginRejectedError carries DGPhone's message)."""
        self._blocking(lib.dgp_login, _text(user, "user"))

    def logoff(self) -> None:
        self._call(lib.dgp_logoff)

    def status(self) -> None:
        """Asks DGPhone for every line's state (one event per line follows)."""
        self._call(lib.dgp_status)

    def line_select(self, line: int, wait: Optional[float] = None) -> None:
        self._command(lib.dgp_line_select, wait, _i32(line, "line"))

    def dial(self, number: Text, wait: Optional[float] = None) -> None:
        self._command(lib.dgp_dial, wait, _text(number, "number"))

    def answer(self, line: int = 0, wait: Optional[float] = None) -> None:
        self._command(lib.dgp_answer, wait, _i32(line, "line"))

    def hold(self, hold: Optional[bool] = None, wait: Optional[float] = None) -> None:
        """Holds (True), resumes (False) or toggles (None) the selected line."""
        self._command(lib.dgp_hold, wait, -1 if hold is None else int(bool(hold)))

    def send_dtmf(self, digits: Text) -> None:
        self._call(lib.dgp_send_dtmf, _text(digits, "digits"))

    def hangup(self, line: int = 0, wait: Optional[float] = None) -> None:
        self._command(lib.dgp_hangup, wait, _i32(line, "line"))

    def queue_status(self, queue: Optional[Text] = None, wait: Optional[float] = None) -> None:
        self._command(lib.dgp_queue_status, wait, _optional_text(queue, "queue"))

    def agent_pause(
        self, agent: Text, paused: bool = True, reason: Optional[Text] = None, wait: Optional[float] = None
    ) -> None:
        self._command(
            lib.dgp_agent_pause, wait, _text(agent, "agent"), int(bool(paused)), _optional_text(reason, "reason")
        )

    def send_command(
        self, name: Text, headers: Union[Mapping[str, Text], Iterable[Tuple[str, Text]]] = ()
    ) -> None:
        """Any command: ``Action: DGPhoneCommand``, ``Command: name``, then
        the headers (validated by the library like the typed commands)."""
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        keys = (c_char_p * max(len(pairs), 1))(*[_text(k, "header key") for k, _ in pairs])
        values = (c_char_p * max(len(pairs), 1))(*[_text(v, "header value") for _, v in pairs])
        self._call(lib.dgp_send_command, _text(name, "name"), keys, values, len(pairs))

    def login_agent(
        self,
        agent: Text,
        password: Text,
        line: int = 1,
        feature_code: Optional[Text] = None,
        step_timeout: float = 10.0,
    ) -> None:
        """The agent login by feature code (select, dial, agent#, password#,
        AgentLogin), each step waiting up to ``step_timeout``."""
        self._blocking(
            lib.dgp_login_agent,
            _optional_text(feature_code, "feature_code"),
            _text(agent, "agent"),
            _text(password, "password"),
            _i32(line, "line"),
            _ms(step_timeout, "step_timeout"),
        )

    # The flows: a procedure on the line a person means, confirmed.

    def refresh_lines(self, timeout: float = 10.0) -> None:
        self._blocking(lib.dgp_refresh_lines, _ms(timeout, "timeout"))

    def place_call(self, number: Text, line: int = 0, timeout: float = 10.0) -> None:
        self._blocking(lib.dgp_place_call, _text(number, "number"), _i32(line, "line"), _ms(timeout, "timeout"))

    def answer_call(self, line: int = 0, ring_wait: Optional[float] = None, timeout: float = 10.0) -> None:
        self._blocking(
            lib.dgp_answer_call, _i32(line, "line"), _ms(ring_wait, "ring_wait"), _ms(timeout, "timeout")
        )

    def end_call(self, line: int = 0, timeout: float = 10.0) -> None:
        self._blocking(lib.dgp_end_call, _i32(line, "line"), _ms(timeout, "timeout"))

    def hold_call(self, mode: HoldMode = HoldMode.TOGGLE, line: int = 0, timeout: float = 10.0) -> None:
        self._blocking(lib.dgp_hold_call, _u32(int(mode), "mode"), _i32(line, "line"), _ms(timeout, "timeout"))

    def send_call_dtmf(self, digits: Text, line: int = 0, timeout: float = 10.0) -> None:
        self._blocking(lib.dgp_send_call_dtmf, _text(digits, "digits"), _i32(line, "line"), _ms(timeout, "timeout"))

    def cancel(self) -> None:
        """Makes the blocking calls in progress on other threads raise CancelledError."""
        self._call(lib.dgp_cancel)

    # -- state ------------------------------------------------------------

    def _query(self, function: Any) -> int:
        handle = self._enter()
        try:
            return int(function(handle))
        finally:
            self._leave()

    @property
    def is_connected(self) -> bool:
        return bool(self._query(lib.dgp_is_connected))

    @property
    def is_logged_in(self) -> bool:
        return bool(self._query(lib.dgp_is_logged_in))

    @property
    def selected_line(self) -> int:
        """1 to 6, or 0 while DGPhone has not reported one."""
        return self._query(lib.dgp_selected_line)

    @property
    def agent_state(self) -> AgentState:
        return AgentState(self._query(lib.dgp_agent_state))

    @property
    def dropped_events(self) -> int:
        return self._query(lib.dgp_dropped_events)

    @property
    def notify_fd(self) -> int:
        """Readable while the pull queue holds events (-1 on Windows)."""
        return self._query(lib.dgp_notify_fd)

    def line_state(self, line: int) -> LineState:
        handle = self._enter()
        try:
            out = c_uint32(0)
            _check(lib.dgp_line_state(handle, _i32(line, "line"), byref(out)))
            return LineState(out.value)
        finally:
            self._leave()

    def line_number(self, line: int) -> str:
        """The other party's number on ``line`` ("" when none)."""
        handle = self._enter()
        try:
            line = _i32(line, "line")
            size = c_uint32(0)
            buffer = ctypes.create_string_buffer(128)
            code = lib.dgp_line_number(handle, line, buffer, 128, byref(size))
            if code == _native.DGP_ERR_BUFFER_TOO_SMALL:
                buffer = ctypes.create_string_buffer(size.value + 1)
                code = lib.dgp_line_number(handle, line, buffer, size.value + 1, byref(size))
            _check(code)
            return buffer.value.decode("utf-8", "replace")
        finally:
            self._leave()

    def lines(self) -> Tuple[LineInfo, ...]:
        """The six lines: state and number of each."""
        return tuple(LineInfo(n, self.line_state(n), self.line_number(n)) for n in range(1, 7))

    # -- events: the callback --------------------------------------------

    def set_callback(self, on_event: Optional[EventCallback]) -> None:
        """Sets the event callback (None removes it; later events go to the
        pull queue). It runs on the library's callback thread with a typed
        Event; an exception in it is reported (``on_callback_error``, by
        default the "dgphone" logger) and never reaches the library."""
        handle = self._enter()
        try:
            old = self._delivery
            if on_event is None:
                _check(lib.dgp_set_event_callback(handle, _native.EVENT_CALLBACK(), None))
                self._delivery = None
            else:
                delivery = _Delivery(on_event, self._on_callback_error, self._pin)
                if old is not None:
                    delivery.thread = old.thread
                _check(lib.dgp_set_event_callback(handle, delivery.cfunc, None))
                self._delivery = delivery
            # The old trampoline is no longer called once the set returned.
            del old
        finally:
            self._leave()

    # -- events: the pull side --------------------------------------------

    def _take(self, handle: Any) -> List[Event]:
        """Takes what the queue holds now (no wait), in one crossing with
        dgp_next_records, else dgp_next_events and one copy each."""
        if _native.HAS_NEXT_RECORDS:
            return self._take_records(handle)
        count = c_uint32(0)
        code = lib.dgp_next_events(handle, self._events_array, _BATCH, 0, byref(count))
        if code == _native.DGP_ERR_TIMEOUT:
            return []
        _check(code)
        events: List[Event] = []
        needed = c_uint32(0)
        copy = lib.dgp_event_copy
        free = lib.dgp_event_free
        array = self._events_array
        try:
            for i in range(count.value):
                event = array[i]
                code = copy(event, self._copy_view, len(self._copy_buffer), byref(needed))
                if code == _native.DGP_ERR_BUFFER_TOO_SMALL:
                    self._copy_buffer = bytearray(max(needed.value, 2 * len(self._copy_buffer)))
                    self._copy_view = (ctypes.c_char * len(self._copy_buffer)).from_buffer(self._copy_buffer)
                    code = copy(event, self._copy_view, len(self._copy_buffer), byref(needed))
                _check(code)
                events.append(decode(self._copy_buffer, 0)[0])
        finally:
            for i in range(count.value):
                free(array[i])
        return events

    def _take_records(self, handle: Any) -> List[Event]:
        if self._record_buffer is None:
            self._record_buffer = bytearray(_RECORD_BUFFER)
            self._record_view = (ctypes.c_char * _RECORD_BUFFER).from_buffer(self._record_buffer)
        count = c_uint32(0)
        used = c_uint32(0)
        code = lib.dgp_next_records(
            handle, self._record_view, len(self._record_buffer), 0, byref(count), byref(used)
        )
        if code == _native.DGP_ERR_BUFFER_TOO_SMALL:
            size = max(used.value, 2 * len(self._record_buffer))
            self._record_buffer = bytearray(size)
            self._record_view = (ctypes.c_char * size).from_buffer(self._record_buffer)
            code = lib.dgp_next_records(handle, self._record_view, size, 0, byref(count), byref(used))
        if code == _native.DGP_ERR_TIMEOUT:
            return []
        _check(code)
        return decode_batch(self._record_buffer, count.value)

    def _take_now(self) -> Optional[List[Event]]:
        """What the queue holds now; None once the client is closed."""
        with self._lock:
            if self._closed or self._handle is None:
                return None
            self._busy += 1
            handle = self._handle
        try:
            with self._pull_lock:
                pending, self._pending = self._pending, []
                return pending + self._take(handle) if pending else self._take(handle)
        finally:
            self._leave()

    def _keep(self, rest: List[Event]) -> None:
        """A consumer stopped inside a batch: the rest comes first next time."""
        with self._pull_lock:
            self._pending[:0] = rest

    def next_event(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next queued event, waiting up to ``timeout`` seconds (None:
        until one comes or the client closes); None when none came."""
        for event in self.events(timeout=timeout):
            return event
        return None

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Iterates over queued events (with no callback set, the queue
        collects every event). Ends when none comes for ``timeout`` seconds
        (None: never) or the client is closed. The wait is a ``select`` on
        the notification descriptor, in short slices: Ctrl-C interrupts it."""
        fd = self.notify_fd
        if fd < 0:
            raise DGPhoneError(15, "no notification descriptor on this platform")
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            batch = self._take_now()
            if batch is None:
                return
            if batch:
                for index, event in enumerate(batch):
                    try:
                        yield event
                    except GeneratorExit:
                        self._keep(batch[index + 1 :])
                        raise
                if timeout is not None:
                    deadline = time.monotonic() + timeout
                continue
            # Wait for the descriptor in slices; after each slice the loop
            # takes again, whatever select said: a wake-up the library
            # missed (it did with DGP_OVERFLOW_BLOCK until fixed, see
            # README) costs one slice, never the whole timeout.
            wait = _SLICE_S
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                wait = min(wait, left)
            with self._lock:
                if self._closed:
                    return
                self._busy += 1  # close() waits for this select to end
            try:
                select.select([fd], [], [], wait)
            finally:
                self._leave()

    async def aevents(self, timeout: Optional[float] = None) -> AsyncIterator[Event]:
        """``async for`` over queued events, driven by the notification
        descriptor through ``loop.add_reader`` (no thread). Ends when none
        comes for ``timeout`` seconds (None: never) or the client closes."""
        loop = asyncio.get_running_loop()
        fd = self.notify_fd
        if fd < 0:
            raise DGPhoneError(15, "no notification descriptor on this platform")
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            batch = self._take_now()
            if batch is None:
                return
            if batch:
                for index, event in enumerate(batch):
                    try:
                        yield event
                    except GeneratorExit:
                        self._keep(batch[index + 1 :])
                        raise
                if timeout is not None:
                    deadline = loop.time() + timeout
                continue
            ready: "asyncio.Future[None]" = loop.create_future()
            waiter = (loop, ready)

            def wake() -> None:
                if not ready.done():
                    ready.set_result(None)

            with self._lock:
                if self._closed:
                    return
                self._async_waiters.add(waiter)
                loop.add_reader(fd, wake)
            wait = _SLICE_S if deadline is None else max(0.0, min(_SLICE_S, deadline - loop.time()))
            try:
                # In slices, taking again after each, as events() does.
                await asyncio.wait_for(ready, wait)
            except asyncio.TimeoutError:
                if deadline is not None and loop.time() >= deadline:
                    return
            finally:
                with self._lock:
                    self._async_waiters.discard(waiter)
                    if not self._closed:
                        loop.remove_reader(fd)

    def _wake_async_waiters(self) -> None:
        """close(): stop every aevents() wait before the descriptor goes."""
        fd = -1
        handle = self._handle
        if handle is not None:
            fd = int(lib.dgp_notify_fd(handle))
        for loop, ready in list(self._async_waiters):

            def stop(ready: "asyncio.Future[None]" = ready, loop: asyncio.AbstractEventLoop = loop) -> None:
                if fd >= 0:
                    loop.remove_reader(fd)
                if not ready.done():
                    ready.set_result(None)

            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                stop()
            elif not loop.is_closed():
                loop.call_soon_threadsafe(stop)


def version() -> str:
    """The version of the library loaded (``dgp_version``)."""
    text: bytes = lib.dgp_version()
    return text.decode()

