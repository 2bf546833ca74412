"""Typed events, decoded from the packed record of ``dgp_event_copy``.

An event crosses the C boundary once: the library writes it whole (fixed
fields, header entries, strings) into a buffer, and :func:`decode` reads
that with one precompiled ``struct.Struct`` and slices. The values and
their meaning are the header's (``include/dgphone.h``, ``docs/c-api.md``).
"""

from __future__ import annotations

import struct
from operator import itemgetter
from dataclasses import dataclass
from enum import IntEnum
from typing import Callable, Dict, List, Optional, Tuple, Union


class _OpenEnum(IntEnum):
    """An enum of the header's constants that also takes values newer than
    this package: they come as pseudo members named ``<ENUM>_<n>``."""

    @classmethod
    def _missing_(cls, value: object) -> Optional["_OpenEnum"]:
        if not isinstance(value, int):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"{cls.__name__.upper()}_{value}"
        member._value_ = value
        return member


class EventKind(_OpenEnum):
    """``DGP_EVENT_*``."""

    CONNECTED = 1
    LOGGED_IN = 2
    DISCONNECTED = 3
    RECONNECTING = 4
    GREETING = 5
    PROTOCOL_ERROR = 6
    OVERFLOW = 7
    RECONNECT_FAILED = 8
    LINE_SELECTED = 100
    DIALING = 101
    RECEIVING_CALL = 102
    ANSWER = 103
    HOLD = 104
    HANGUP = 105
    READY = 106
    DTMF_RECEIVED = 107
    USER_LOGOFF = 108
    AGENT_LOGIN = 109
    AGENT_CALLED = 110
    AGENT_CONNECT = 111
    AGENT_COMPLETE = 112
    AGENT_LOGOFF = 113
    ERROR = 114
    BUSY = 115
    AGENT_NO_ANSWER = 116
    AGENT_PAUSED = 117
    QUEUE_ENTRY = 118
    QUEUE_JOIN = 119
    QUEUE_LEAVE = 120
    QUEUE_ABANDON = 121
    QUEUE_STATUS_COMPLETE = 122
    OTHER_STATUS = 150
    RESPONSE = 160
    TIMESTAMP = 161
    UNKNOWN = 199

    @property
    def is_lifecycle(self) -> bool:
        """About the connection (1-99), not a DGPhone packet."""
        return 0 < self.value < 100


class LineState(_OpenEnum):
    """``DGP_LINE_*``."""

    IDLE = 0
    OFFERING = 1
    DIALING = 2
    CONNECTED = 3
    ON_HOLD = 4
    DISCONNECTED = 5


class AgentState(_OpenEnum):
    """``DGP_AGENT_*``."""

    LOGGED_OUT = 0
    AVAILABLE = 1
    OFFERED = 2
    IN_CALL = 3
    PAUSED = 4


class DisconnectReason(_OpenEnum):
    """``DGP_DISCONNECT_*``."""

    NONE = 0
    REQUESTED = 1
    CLOSED_BY_PEER = 2
    LOGGED_OFF = 3
    DEAD_PEER = 4
    IO_ERROR = 5


class HoldMode(IntEnum):
    """``DGP_HOLD_*``, for :meth:`dgphone.Client.hold_call`."""

    TOGGLE = 0
    ON = 1
    OFF = 2


class OverflowPolicy(IntEnum):
    """``DGP_OVERFLOW_*``."""

    DROP_OLDEST = 0
    DROP_NEWEST = 1
    BLOCK = 2


class LogLevel(IntEnum):
    """``DGP_LOG_*``."""

    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


_DTMF = frozenset("0123456789*#ABCD")
_TRUE = frozenset(("1", "true", "yes"))
_FALSE = frozenset(("0", "false", "no"))


def _flag(value: Optional[str]) -> Optional[bool]:
    if value is None:
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


@dataclass(frozen=True, slots=True)
class Event:
    """One event: from DGPhone (``headers`` holds every raw header, in order,
    with its original spelling) or about the connection (``detail`` says
    what, the numbers say how much). The typed properties read the headers
    as the C accessors do."""

    kind: EventKind
    line: int
    headers: Tuple[Tuple[str, str], ...]
    detail: str = ""
    disconnect_reason: DisconnectReason = DisconnectReason.NONE
    attempt: int = 0
    delay_ms: int = 0
    dropped: int = 0

    def header(self, key: str) -> Optional[str]:
        """The first header named ``key`` (any ASCII case), or None."""
        for name, value in self.headers:
            if name == key:
                return value
        folded = key.lower()
        for name, value in self.headers:
            if name.lower() == folded:
                return value
        return None

    @property
    def number(self) -> Optional[str]:
        """``Number:``, the other party."""
        return self.header("Number")

    @property
    def user(self) -> Optional[str]:
        """``User:``, the extension the event belongs to."""
        return self.header("User")

    @property
    def agent(self) -> Optional[str]:
        """``Agent:``, on agent events."""
        return self.header("Agent")

    @property
    def uniqueid(self) -> Optional[str]:
        """``Uniqueid:``, the PBX's call id."""
        return self.header("Uniqueid")

    @property
    def message(self) -> Optional[str]:
        """``Message:``, DGPhone's text."""
        return self.header("Message")

    @property
    def status(self) -> Optional[str]:
        """``Status:`` as received."""
        return self.header("Status")

    @property
    def queue(self) -> Optional[str]:
        """``Queue:``, on queue events."""
        return self.header("Queue")

    @property
    def time(self) -> Optional[str]:
        """A DGTimeStamp's time text (``Time:``, else ``Timestamp:``)."""
        value = self.header("Time")
        return value if value is not None else self.header("Timestamp")

    @property
    def hold(self) -> Optional[bool]:
        """``Hold:`` on a Hold event: True on hold, False active, None absent."""
        return _flag(self.header("Hold"))

    @property
    def paused(self) -> Optional[bool]:
        """``Paused:`` on AgentPaused."""
        return _flag(self.header("Paused"))

    @property
    def digit(self) -> Optional[str]:
        """The DTMF digit of a DTMFReceived event ('0'-'9', '*', '#', 'A'-'D')."""
        value = self.header("Digit")
        if value is None:
            return None
        value = value.strip().upper()
        return value if len(value) == 1 and value in _DTMF else None

    @property
    def success(self) -> Optional[bool]:
        """On a response: True for ``Response: Success``; None on other events."""
        if self.kind != EventKind.RESPONSE:
            return None
        response = self.header("Response")
        return response is not None and response.lower() == "success"


# The record of dgp_event_copy: size, kind, line, disconnect_reason,
# attempt, delay_ms, dropped, header_count, headers_offset, detail_offset,
# detail_len (machine byte order, no padding).
RECORD = struct.Struct("=IIiIIIQIIII")
RECORD_HEADER = struct.Struct("=IIII")
assert RECORD.size == 48

_KINDS: Dict[int, EventKind] = {int(kind): kind for kind in EventKind}
_REASONS: Dict[int, DisconnectReason] = {int(reason): reason for reason in DisconnectReason}
_unpack_fixed = RECORD.unpack_from
_NO_HEADERS: Tuple[Tuple[str, str], ...] = ()
_ENTRY_STRUCTS: Dict[int, struct.Struct] = {}
# Header entries (their bytes: every string's offset and length) -> how to
# cut the strings out of the record: (headers_offset, where the strings
# start and end, one itemgetter of every key's and value's slice). Events
# repeat a few shapes, so a record's strings are decoded once and cut with
# one C-level call, whatever order the library lays them out in.
_SHAPES: Dict[bytes, Tuple[int, int, int, Callable[[str], Tuple[str, ...]]]] = {}

# A DGPhone event is built without its dataclass __init__ (which sets the
# eight fields one by one through object.__setattr__): the slots' own
# setters, called directly, are what it would do, faster.
_new_event = object.__new__
(_set_kind, _set_line, _set_headers, _set_detail, _set_reason, _set_attempt, _set_delay, _set_dropped) = (
    Event.__dict__[name].__set__
    for name in ("kind", "line", "headers", "detail", "disconnect_reason", "attempt", "delay_ms", "dropped")
)
_NO_REASON = DisconnectReason.NONE

Buffer = Union[bytes, bytearray, memoryview]


def _shape(key: bytes, count: int, at: int) -> Tuple[int, int, int, Callable[[str], Tuple[str, ...]]]:
    """The cutting plan for header entries ``key`` (see _SHAPES)."""
    entries = _ENTRY_STRUCTS.get(count)
    if entries is None:
        entries = _ENTRY_STRUCTS[count] = struct.Struct(f"={4 * count}I")
    flat = entries.unpack(key)
    starts, lens = flat[0::2], flat[1::2]
    first = min(starts)
    end = max(start + length for start, length in zip(starts, lens))
    getter = itemgetter(*[slice(start - first, start - first + length) for start, length in zip(starts, lens)])
    shape = (at, first, end, getter)
    if len(_SHAPES) > 4096:
        _SHAPES.clear()
    _SHAPES[key] = shape
    return shape


def _headers(raw: Buffer, offset: int, count: int, at: int) -> Tuple[Tuple[str, str], ...]:
    """Every header's (key, value): the strings' span decoded at once (as
    Latin-1, which never fails and keeps byte offsets) and cut by the
    shape's slices when it is all ASCII (then Latin-1 is UTF-8), else each
    string decoded apart as UTF-8."""
    start = offset + at
    key = bytes(raw[start : start + 16 * count])
    shape = _SHAPES.get(key)
    if shape is None or shape[0] != at:
        shape = _shape(key, count, at)
    text = str(raw[offset + shape[1] : offset + shape[2]], "latin-1")
    if text.isascii():
        pairs = iter(shape[3](text))
        return tuple(zip(pairs, pairs))
    record = bytes(raw[offset : offset + RECORD.unpack_from(raw, offset)[0]])
    it = iter(struct.unpack_from(f"={4 * count}I", record, at))
    return tuple(
        [(record[ko : ko + kl].decode(), record[vo : vo + vl].decode()) for ko, kl, vo, vl in zip(it, it, it, it)]
    )


def decode(raw: Buffer, offset: int = 0) -> Tuple[Event, int]:
    """Decodes the record at ``offset`` of ``raw``; returns the event and
    the record's size."""
    (size, kind, line, reason, attempt, delay_ms, dropped, count, at, detail_at, detail_len) = _unpack_fixed(
        raw, offset
    )
    if count:
        # _headers, inline: the common case costs no call.
        start = offset + at
        key = bytes(raw[start : start + 16 * count])
        shape = _SHAPES.get(key)
        if shape is not None and shape[0] == at:
            text = str(raw[offset + shape[1] : offset + shape[2]], "latin-1")
            if text.isascii():
                pairs = iter(shape[3](text))
                headers = tuple(zip(pairs, pairs))
            else:
                headers = _headers(raw, offset, count, at)
        else:
            headers = _headers(raw, offset, count, at)
    else:
        headers = _NO_HEADERS
    event_kind = _KINDS.get(kind)
    if event_kind is None:
        event_kind = EventKind(kind)
    if kind < 100 or detail_len:
        detail = str(raw[offset + detail_at : offset + detail_at + detail_len], "utf-8") if detail_len else ""
        reason_kind = _REASONS.get(reason)
        if reason_kind is None:
            reason_kind = DisconnectReason(reason)
        return Event(event_kind, line, headers, detail, reason_kind, attempt, delay_ms, dropped), size
    event = _new_event(Event)
    _set_kind(event, event_kind)
    _set_line(event, line)
    _set_headers(event, headers)
    _set_detail(event, "")
    _set_reason(event, _NO_REASON if not reason else DisconnectReason(reason))
    _set_attempt(event, attempt)
    _set_delay(event, delay_ms)
    _set_dropped(event, dropped)
    return event, size


def decode_batch(raw: Buffer, count: int) -> List[Event]:
    """Decodes ``count`` records packed back to back, each at an 8-byte
    boundary (the layout of ``dgp_next_records``)."""
    events: List[Event] = []
    append = events.append
    offset = 0
    for _ in range(count):
        event, size = decode(raw, offset)
        append(event)
        offset = (offset + size + 7) & ~7
    return events
