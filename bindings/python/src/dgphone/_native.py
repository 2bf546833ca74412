"""The C ABI of libdgphone and libdgphone_sim, declared for ctypes.

Every function gets its argtypes and restype (ctypes' default int would
truncate pointers); handles are opaque ``POINTER(Struct)`` types. The
libraries are loaded with ``CDLL``, which releases the GIL during each
call, so a callback on the library's thread can take it (``PyDLL`` would
deadlock in ``dgp_client_free``).

Lookup, for each library: an environment variable naming the file
(``DGPHONE_LIBRARY``, ``DGPHONE_SIM_LIBRARY``), then one naming the folder
holding both (``DGPHONE_LIB_DIR``), then the file shipped inside this
package, then the system (``ctypes.util.find_library``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_int32,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Optional, Sequence, Tuple

# The header's version (include/dgphone.h, DGP_VERSION_*): the library
# loaded must have the same major version and at least this minor one
# (for 0.x, the same minor: semantic versioning's rule before 1.0).
HEADER_VERSION: Tuple[int, int, int] = (0, 1, 0)

DGP_OK = 0
DGP_ERR_BUFFER_TOO_SMALL = 13
DGP_ERR_TIMEOUT = 9
DGP_ERR_CANCELLED = 19


class LibraryNotFound(ImportError):
    """Neither the environment, the package nor the system has the library."""


class VersionMismatch(ImportError):
    """The library loaded is not the version this package was written for."""


def _file_name(stem: str) -> str:
    if sys.platform == "win32":
        return f"{stem}.dll"
    if sys.platform == "darwin":
        return f"lib{stem}.dylib"
    return f"lib{stem}.so"


def library_candidates(stem: str, file_variable: str) -> list[str]:
    """Where the library named ``stem`` ("dgphone", "dgphone_sim") is looked
    for, in order."""
    found: list[str] = []
    explicit = os.environ.get(file_variable)
    if explicit:
        found.append(explicit)
    folder = os.environ.get("DGPHONE_LIB_DIR")
    if folder:
        found.append(str(Path(folder) / _file_name(stem)))
    found.append(str(Path(__file__).resolve().parent / _file_name(stem)))
    system = ctypes.util.find_library(stem)
    if system:
        found.append(system)
    return found


def _load(stem: str, file_variable: str) -> ctypes.CDLL:
    candidates = library_candidates(stem, file_variable)
    errors: list[str] = []
    for index, path in enumerate(candidates):
        is_system = index == len(candidates) - 1 and not os.path.isabs(path)
        if not is_system and not os.path.exists(path):
            errors.append(f"{path}: no such file")
            continue
        try:
            if sys.platform == "win32" and os.path.isabs(path):
                os.add_dll_directory(os.path.dirname(path))  # type: ignore[attr-defined]
            return ctypes.CDLL(path)
        except OSError as error:
            errors.append(f"{path}: {error}")
    raise LibraryNotFound(
        f"cannot load the {stem} library (set {file_variable} to its file or "
        f"DGPHONE_LIB_DIR to its folder); tried: " + "; ".join(errors)
    )


def _check_version(lib: Any, what: str) -> Tuple[int, int, int]:
    number = int(lib.dgp_version_number())
    loaded = (number >> 16, (number >> 8) & 0xFF, number & 0xFF)
    major, minor, _ = HEADER_VERSION
    compatible = loaded[0] == major and (loaded[1] == minor if major == 0 else loaded[1] >= minor)
    if not compatible:
        raise VersionMismatch(
            f"{what} is version {'.'.join(map(str, loaded))} but this package was "
            f"written for {'.'.join(map(str, HEADER_VERSION))} (dgphone.h)"
        )
    return loaded


# Opaque handles.
class ClientStruct(Structure):
    pass


class EventStruct(Structure):
    pass


class OptionsStruct(Structure):
    pass


class SimStruct(Structure):
    pass


class SimConfigStruct(Structure):
    pass


class ReplayStruct(Structure):
    pass


ClientP = POINTER(ClientStruct)
EventP = POINTER(EventStruct)
OptionsP = POINTER(OptionsStruct)
SimP = POINTER(SimStruct)
SimConfigP = POINTER(SimConfigStruct)
ReplayP = POINTER(ReplayStruct)

R = c_uint32  # dgp_result
U32P = POINTER(c_uint32)
I32P = POINTER(c_int32)
U64P = POINTER(c_uint64)
U8P = POINTER(c_uint8)

# The event callback: the event is taken as a plain address (c_void_p), the
# cheapest thing for ctypes to hand over, and passed back as such to
# dgp_event_copy.
EVENT_CALLBACK = CFUNCTYPE(None, c_void_p, c_void_p)
LOG_CALLBACK = CFUNCTYPE(None, c_void_p, c_uint32, c_char_p)

# (name, restype, argtypes). Event functions take the event as c_void_p so
# that callback addresses and owned events go through the same declarations.
_CLIENT_FUNCTIONS: Sequence[Tuple[str, Any, Sequence[Any]]] = [
    ("dgp_client_new", R, [OptionsP, POINTER(ClientP)]),
    ("dgp_client_free", R, [ClientP]),
    ("dgp_last_error", R, [c_char_p, c_uint32, U32P]),
    ("dgp_set_event_callback", R, [ClientP, EVENT_CALLBACK, c_void_p]),
    ("dgp_connect", R, [ClientP, c_char_p, c_uint16]),
    ("dgp_disconnect", R, [ClientP]),
    ("dgp_login", R, [ClientP, c_char_p]),
    ("dgp_logoff", R, [ClientP]),
    ("dgp_status", R, [ClientP]),
    ("dgp_line_select", R, [ClientP, c_int32, c_uint32]),
    ("dgp_dial", R, [ClientP, c_char_p, c_uint32]),
    ("dgp_answer", R, [ClientP, c_int32, c_uint32]),
    ("dgp_hold", R, [ClientP, c_int32, c_uint32]),
    ("dgp_send_dtmf", R, [ClientP, c_char_p]),
    ("dgp_hangup", R, [ClientP, c_int32, c_uint32]),
    ("dgp_queue_status", R, [ClientP, c_char_p, c_uint32]),
    ("dgp_agent_pause", R, [ClientP, c_char_p, c_int32, c_char_p, c_uint32]),
    ("dgp_send_command", R, [ClientP, c_char_p, POINTER(c_char_p), POINTER(c_char_p), c_uint32]),
    ("dgp_login_agent", R, [ClientP, c_char_p, c_char_p, c_char_p, c_int32, c_uint32]),
    ("dgp_next_event", R, [ClientP, c_uint32, POINTER(c_void_p)]),
    ("dgp_cancel", R, [ClientP]),
    ("dgp_notify_fd", c_int32, [ClientP]),
    ("dgp_notify_handle", c_void_p, [ClientP]),
    ("dgp_dropped_events", c_uint64, [ClientP]),
    ("dgp_is_connected", c_int32, [ClientP]),
    ("dgp_is_logged_in", c_int32, [ClientP]),
    ("dgp_selected_line", c_int32, [ClientP]),
    ("dgp_line_state", R, [ClientP, c_int32, U32P]),
    ("dgp_line_number", R, [ClientP, c_int32, c_char_p, c_uint32, U32P]),
    ("dgp_agent_state", c_uint32, [ClientP]),
    ("dgp_event_kind", c_uint32, [c_void_p]),
    ("dgp_event_line", c_int32, [c_void_p]),
    ("dgp_event_hold", c_int32, [c_void_p]),
    ("dgp_event_paused", c_int32, [c_void_p]),
    ("dgp_event_digit", c_int32, [c_void_p]),
    ("dgp_event_success", c_int32, [c_void_p]),
    ("dgp_event_number", c_char_p, [c_void_p]),
    ("dgp_event_user", c_char_p, [c_void_p]),
    ("dgp_event_agent", c_char_p, [c_void_p]),
    ("dgp_event_uniqueid", c_char_p, [c_void_p]),
    ("dgp_event_message", c_char_p, [c_void_p]),
    ("dgp_event_status", c_char_p, [c_void_p]),
    ("dgp_event_queue", c_char_p, [c_void_p]),
    ("dgp_event_time", c_char_p, [c_void_p]),
    ("dgp_event_detail", c_char_p, [c_void_p]),
    ("dgp_event_disconnect_reason", c_uint32, [c_void_p]),
    ("dgp_event_dropped", c_uint64, [c_void_p]),
    ("dgp_event_attempt", c_uint32, [c_void_p]),
    ("dgp_event_delay_ms", c_uint32, [c_void_p]),
    ("dgp_event_header_count", c_uint32, [c_void_p]),
    ("dgp_event_header_key", c_char_p, [c_void_p, c_uint32]),
    ("dgp_event_header_value", c_char_p, [c_void_p, c_uint32]),
    ("dgp_event_header", c_char_p, [c_void_p, c_char_p]),
    ("dgp_event_header_raw", R, [c_void_p, c_uint32, POINTER(U8P), U32P]),
    ("dgp_event_time_unix", R, [c_void_p, U64P]),
    ("dgp_event_time_clock", R, [c_void_p, U32P, U32P]),
    ("dgp_event_free", None, [c_void_p]),
    ("dgp_event_clone", c_void_p, [c_void_p]),
    ("dgp_event_copy", R, [c_void_p, c_void_p, c_uint32, U32P]),
    ("dgp_next_events", R, [ClientP, POINTER(c_void_p), c_uint32, c_uint32, U32P]),
    ("dgp_refresh_lines", R, [ClientP, c_uint32]),
    ("dgp_place_call", R, [ClientP, c_char_p, c_int32, c_uint32]),
    ("dgp_answer_call", R, [ClientP, c_int32, c_uint32, c_uint32]),
    ("dgp_end_call", R, [ClientP, c_int32, c_uint32]),
    ("dgp_hold_call", R, [ClientP, c_uint32, c_int32, c_uint32]),
    ("dgp_send_call_dtmf", R, [ClientP, c_char_p, c_int32, c_uint32]),
    ("dgp_options_new", OptionsP, []),
    ("dgp_options_free", None, [OptionsP]),
    ("dgp_options_set_log_callback", R, [OptionsP, LOG_CALLBACK, c_void_p]),
    ("dgp_options_set_wire_log", R, [OptionsP, c_char_p]),
    ("dgp_result_str", c_char_p, [c_uint32]),
    ("dgp_version_number", c_uint32, []),
    ("dgp_version", c_char_p, []),
]

# Option fields: name -> C type of the value (one setter and one getter each).
OPTION_FIELDS: dict[str, Any] = {
    "connect_timeout_ms": c_uint32,
    "command_timeout_ms": c_uint32,
    "dead_peer_timeout_ms": c_uint32,
    "tcp_keepalive_s": c_uint32,
    "reconnect": c_int32,
    "reconnect_initial_ms": c_uint32,
    "reconnect_max_ms": c_uint32,
    "reconnect_max_attempts": c_uint32,
    "queue_capacity": c_uint32,
    "overflow_policy": c_uint32,
    "queue_with_callback": c_int32,
    "delivery_backlog": c_uint32,
    "callback_stack_size": c_uint32,
    "max_packet": c_uint32,
    "send_user": c_int32,
    "remote_mode": c_int32,
    "redact_dtmf": c_int32,
    "log_level": c_uint32,
}

# dgp_next_records (a later ABI addition): packs a batch of queued events
# into one buffer, one crossing per batch. Declared when the library has it.
_OPTIONAL_CLIENT_FUNCTIONS: Sequence[Tuple[str, Any, Sequence[Any]]] = [
    ("dgp_next_records", R, [ClientP, c_void_p, c_uint32, c_uint32, U32P, U32P]),
]

_SIM_FUNCTIONS: Sequence[Tuple[str, Any, Sequence[Any]]] = [
    ("dgp_sim_config_new", SimConfigP, []),
    ("dgp_sim_config_free", None, [SimConfigP]),
    ("dgp_sim_config_set_login", R, [SimConfigP, c_uint32, c_char_p]),
    ("dgp_sim_config_set_greeting", R, [SimConfigP, c_char_p]),
    ("dgp_sim_config_set_timestamp_ms", R, [SimConfigP, c_uint32]),
    ("dgp_sim_config_set_auto_answer", R, [SimConfigP, c_int32]),
    ("dgp_sim_config_set_timestamp_fields", R, [SimConfigP, c_uint32]),
    ("dgp_sim_config_set_timestamps_from_connect", R, [SimConfigP, c_int32]),
    ("dgp_sim_config_set_login_refusal", R, [SimConfigP, c_uint32]),
    ("dgp_sim_config_set_answer_delay_ms", R, [SimConfigP, c_uint32]),
    ("dgp_sim_config_set_idle_hangup", R, [SimConfigP, c_uint32]),
    ("dgp_sim_config_set_profile", R, [SimConfigP, c_char_p]),
    ("dgp_sim_config_set_agent", R, [SimConfigP, c_char_p, c_char_p]),
    ("dgp_sim_config_set_bare_lf", R, [SimConfigP, c_int32]),
    ("dgp_sim_config_set_windows_1252", R, [SimConfigP, c_int32]),
    ("dgp_sim_config_add_fault", R, [SimConfigP, c_char_p]),
    ("dgp_sim_config_set_scenario", R, [SimConfigP, c_char_p]),
    ("dgp_sim_config_set_scenario_text", R, [SimConfigP, c_char_p, c_char_p]),
    ("dgp_sim_config_set_record", R, [SimConfigP, c_char_p]),
    ("dgp_sim_start", R, [SimConfigP, c_char_p, c_uint16, POINTER(SimP)]),
    ("dgp_sim_port", c_uint16, [SimP]),
    ("dgp_sim_free", None, [SimP]),
    ("dgp_sim_last_error", R, [c_char_p, c_uint32, U32P]),
    ("dgp_sim_incoming_call", R, [SimP, c_int32, c_char_p]),
    ("dgp_sim_far_end_answer", R, [SimP, c_int32]),
    ("dgp_sim_far_end_hangup", R, [SimP, c_int32]),
    ("dgp_sim_dtmf_received", R, [SimP, c_int32, c_int32]),
    ("dgp_sim_agent_event", R, [SimP, c_uint32, c_char_p, c_char_p]),
    ("dgp_sim_send_raw", R, [SimP, c_char_p, c_uint32]),
    ("dgp_sim_set_silent", R, [SimP, c_int32]),
    ("dgp_sim_disconnect_all", R, [SimP]),
    ("dgp_sim_wait_for_logins", R, [SimP, c_uint32, c_uint32]),
    ("dgp_sim_wait_for_command", R, [SimP, c_char_p, c_uint32]),
    ("dgp_sim_command_count", c_uint32, [SimP]),
    ("dgp_sim_set_fault", R, [SimP, c_char_p]),
    ("dgp_sim_clear_faults", R, [SimP]),
    ("dgp_sim_restart", R, [SimP, c_uint32]),
    ("dgp_sim_perform", R, [SimP, c_char_p]),
    ("dgp_sim_wait_for_scenario", R, [SimP, c_uint32]),
    ("dgp_replay_start", R, [c_char_p, c_char_p, c_uint16, c_int32, POINTER(ReplayP)]),
    ("dgp_replay_port", c_uint16, [ReplayP]),
    ("dgp_replay_wait_until_played", R, [ReplayP, c_uint32, c_uint32]),
    ("dgp_replay_free", None, [ReplayP]),
]


def _declare(lib: ctypes.CDLL, table: Sequence[Tuple[str, Any, Sequence[Any]]], optional: bool = False) -> None:
    for name, restype, argtypes in table:
        try:
            function = getattr(lib, name)
        except AttributeError:
            if optional:
                continue
            raise
        function.restype = restype
        function.argtypes = list(argtypes)


def _declare_options(lib: ctypes.CDLL) -> None:
    for field, ctype in OPTION_FIELDS.items():
        setter = getattr(lib, f"dgp_options_set_{field}")
        setter.restype = R
        setter.argtypes = [OptionsP, ctype]
        getter = getattr(lib, f"dgp_options_get_{field}")
        getter.restype = R
        getter.argtypes = [OptionsP, POINTER(ctype)]


lib: ctypes.CDLL = _load("dgphone", "DGPHONE_LIBRARY")
_declare(lib, _CLIENT_FUNCTIONS)
_declare(lib, _OPTIONAL_CLIENT_FUNCTIONS, optional=True)
_declare_options(lib)
LIBRARY_VERSION = _check_version(lib, f"libdgphone ({lib._name})")
HAS_NEXT_RECORDS: bool = hasattr(lib, "dgp_next_records")

# dgp_event_copy for the callback trampoline's hot path: every argument a
# plain address or number, the cheapest conversions ctypes has (the event,
# the buffer and `needed` as addresses).
event_copy_fast = CFUNCTYPE(c_uint32, c_void_p, c_void_p, c_uint32, c_void_p)(("dgp_event_copy", lib))

_sim: Optional[ctypes.CDLL] = None


def sim_library() -> ctypes.CDLL:
    """libdgphone_sim, loaded on first use (production code never needs it)."""
    global _sim
    if _sim is None:
        loaded = _load("dgphone_sim", "DGPHONE_SIM_LIBRARY")
        _declare(loaded, _SIM_FUNCTIONS)
        # libdgphone_sim exports no version function (dgphone_sim.h has
        # none), so only its functions' presence is checked, by _declare.
        _sim = loaded
    return _sim


def last_error(reader: Any = None) -> str:
    """This thread's last error message, from ``dgp_last_error`` (or the
    simulator's ``dgp_sim_last_error`` when ``reader`` is it)."""
    read = reader if reader is not None else lib.dgp_last_error
    size = c_uint32(0)
    read(None, 0, ctypes.byref(size))
    buffer = ctypes.create_string_buffer(size.value + 1)
    if read(buffer, size.value + 1, None) != DGP_OK:
        return ""
    return buffer.value.decode("utf-8", "replace")


def result_str(code: int) -> str:
    text: bytes = lib.dgp_result_str(code)
    return text.decode("utf-8", "replace")
