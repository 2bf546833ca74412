"""``dgphone.sim``: the DGPhone simulator (libdgphone_sim) for tests.

Start one on a free port, point a :class:`dgphone.Client` at
``sim.port``, play the other party and the PBX, and assert on the
commands it received::

    with Simulator() as sim, Client() as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.incoming_call(1, "5551234")

Production applications ship libdgphone only; this module loads
libdgphone_sim on first use.
"""

from __future__ import annotations

import os
from ctypes import byref
from enum import IntEnum
from typing import Any, Optional, Sequence, Tuple, Union

from . import _native
from .client import _i32, _ms, _optional_text, _text
from .errors import error_for, invalid_argument
from .events import EventKind

__all__ = [
    "Simulator",
    "Replay",
    "LoginPolicy",
    "TimestampFields",
    "RefusalForm",
    "IdleHangup",
]

Text = Union[str, bytes]


class LoginPolicy(IntEnum):
    """``DGP_SIM_LOGIN_*``."""

    ACCEPT = 0
    REJECT = 1
    IGNORE = 2


class TimestampFields(IntEnum):
    """``DGP_SIM_TIMESTAMP_*``."""

    TIME = 0
    TIMESTAMP = 1
    BOTH = 2


class RefusalForm(IntEnum):
    """``DGP_SIM_REFUSAL_*``."""

    RESPONSE = 0
    EVENT = 1
    BOTH = 2


class IdleHangup(IntEnum):
    """``DGP_SIM_IDLE_HANGUP_*``."""

    REFUSE = 0
    READY = 1


def _sim_check(code: int) -> None:
    if code:
        lib = _native.sim_library()
        raise error_for(code, _native.last_error(lib.dgp_sim_last_error))


class Simulator:
    """A running simulator (``dgp_sim``): a context manager; ``close()``
    stops it. Settings are keywords (None keeps the default); ``faults``
    are the text forms every connection starts with (``"delay=200ms"``,
    ``"flood=1000"``...)."""

    def __init__(
        self,
        *,
        host: Optional[str] = None,
        port: int = 0,
        login: LoginPolicy = LoginPolicy.ACCEPT,
        reject_message: Optional[str] = None,
        greeting: Optional[str] = "",
        timestamp_interval: Optional[float] = None,
        auto_answer: Optional[bool] = None,
        timestamp_fields: Optional[TimestampFields] = None,
        timestamps_from_connect: Optional[bool] = None,
        login_refusal: Optional[RefusalForm] = None,
        answer_delay: Optional[float] = None,
        idle_hangup: Optional[IdleHangup] = None,
        profile: Optional[str] = None,
        agent_feature_code: Optional[str] = None,
        agent_password: Optional[str] = None,
        bare_lf: Optional[bool] = None,
        windows_1252: Optional[bool] = None,
        faults: Sequence[str] = (),
        scenario: Optional[str] = None,
        scenario_text: Optional[Tuple[str, str]] = None,
        record: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None:
        """``greeting``: "" keeps the default banner, None sends none."""
        self._lib = _native.sim_library()
        self._handle: Optional[Any] = None
        if not isinstance(port, int) or not 0 <= port <= 0xFFFF:
            raise invalid_argument(f"port {port!r} is not 0 to 65535")
        lib = self._lib
        config = lib.dgp_sim_config_new()
        if not config:
            raise MemoryError("dgp_sim_config_new")
        try:
            if profile is not None:
                _sim_check(lib.dgp_sim_config_set_profile(config, _text(profile, "profile")))
            if login != LoginPolicy.ACCEPT or reject_message is not None:
                _sim_check(
                    lib.dgp_sim_config_set_login(config, int(login), _optional_text(reject_message, "reject_message"))
                )
            if greeting != "":
                _sim_check(lib.dgp_sim_config_set_greeting(config, _optional_text(greeting, "greeting")))
            if timestamp_interval is not None:
                _sim_check(lib.dgp_sim_config_set_timestamp_ms(config, _ms(timestamp_interval, "timestamp_interval")))
            if auto_answer is not None:
                _sim_check(lib.dgp_sim_config_set_auto_answer(config, int(auto_answer)))
            if timestamp_fields is not None:
                _sim_check(lib.dgp_sim_config_set_timestamp_fields(config, int(timestamp_fields)))
            if timestamps_from_connect is not None:
                _sim_check(lib.dgp_sim_config_set_timestamps_from_connect(config, int(timestamps_from_connect)))
            if login_refusal is not None:
                _sim_check(lib.dgp_sim_config_set_login_refusal(config, int(login_refusal)))
            if answer_delay is not None:
                _sim_check(lib.dgp_sim_config_set_answer_delay_ms(config, _ms(answer_delay, "answer_delay")))
            if idle_hangup is not None:
                _sim_check(lib.dgp_sim_config_set_idle_hangup(config, int(idle_hangup)))
            if agent_feature_code is not None or agent_password is not None:
                _sim_check(
                    lib.dgp_sim_config_set_agent(
                        config,
                        _optional_text(agent_feature_code, "agent_feature_code"),
                        _optional_text(agent_password, "agent_password"),
                    )
                )
            if bare_lf is not None:
                _sim_check(lib.dgp_sim_config_set_bare_lf(config, int(bare_lf)))
            if windows_1252 is not None:
                _sim_check(lib.dgp_sim_config_set_windows_1252(config, int(windows_1252)))
            for fault in faults:
                _sim_check(lib.dgp_sim_config_add_fault(config, _text(fault, "fault")))
            if scenario is not None:
                _sim_check(lib.dgp_sim_config_set_scenario(config, _text(scenario, "scenario")))
            if scenario_text is not None:
                name, text = scenario_text
                _sim_check(
                    lib.dgp_sim_config_set_scenario_text(config, _text(name, "name"), _text(text, "scenario_text"))
                )
            if record is not None:
                _sim_check(lib.dgp_sim_config_set_record(config, _text(os.fspath(record), "record")))
            handle = _native.SimP()
            _sim_check(lib.dgp_sim_start(config, _optional_text(host, "host"), port, byref(handle)))
            self._handle = handle
        finally:
            lib.dgp_sim_config_free(config)
        self.host = host or "127.0.0.1"
        self.port: int = int(lib.dgp_sim_port(self._handle))

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except BaseException:  # noqa: B036 - a finalizer must not raise
            pass

    def __repr__(self) -> str:
        return f"<dgphone.sim.Simulator {self.host}:{self.port}{' closed' if self._handle is None else ''}>"

    def close(self) -> None:
        """Stops the simulator: closes every connection, joins its threads."""
        handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.dgp_sim_free(handle)

    def _h(self) -> Any:
        if self._handle is None:
            raise error_for(2, "the simulator is closed")
        return self._handle

    # -- the other party and the PBX --------------------------------------

    def incoming_call(self, line: int, number: Text) -> None:
        """A call from ``number`` rings on ``line`` (ReceivingCall)."""
        _sim_check(self._lib.dgp_sim_incoming_call(self._h(), _i32(line, "line"), _text(number, "number")))

    ring = incoming_call

    def far_end_answer(self, line: int) -> None:
        _sim_check(self._lib.dgp_sim_far_end_answer(self._h(), _i32(line, "line")))

    def far_end_hangup(self, line: int) -> None:
        _sim_check(self._lib.dgp_sim_far_end_hangup(self._h(), _i32(line, "line")))

    def dtmf_received(self, line: int, digit: str) -> None:
        """The far end sends one DTMF ``digit`` on ``line``."""
        if not isinstance(digit, str) or len(digit) != 1:
            raise invalid_argument(f"digit {digit!r} is not one character")
        _sim_check(self._lib.dgp_sim_dtmf_received(self._h(), _i32(line, "line"), ord(digit)))

    def agent_event(self, kind: EventKind, agent: Text, uniqueid: Optional[Text] = None) -> None:
        _sim_check(
            self._lib.dgp_sim_agent_event(
                self._h(), int(kind), _text(agent, "agent"), _optional_text(uniqueid, "uniqueid")
            )
        )

    def send_raw(self, data: bytes) -> None:
        """Sends ``data`` as it is to every connected client."""
        data = bytes(data)
        _sim_check(self._lib.dgp_sim_send_raw(self._h(), data, len(data)))

    def perform(self, action: Text) -> None:
        """An action in the scenario step grammar ("ring 1 5551234",
        "hangup-far", "fault flood=100"...) on every connected client."""
        _sim_check(self._lib.dgp_sim_perform(self._h(), _text(action, "action")))

    # -- faults ------------------------------------------------------------

    def set_fault(self, spec: Text) -> None:
        """A fault in text form: a lasting one until ``clear_faults``, a
        one-shot one (``flood=N``...) now, on every connection."""
        _sim_check(self._lib.dgp_sim_set_fault(self._h(), _text(spec, "fault")))

    def clear_faults(self) -> None:
        _sim_check(self._lib.dgp_sim_clear_faults(self._h()))

    def set_silent(self, silent: bool = True) -> None:
        _sim_check(self._lib.dgp_sim_set_silent(self._h(), int(silent)))

    def disconnect_all(self) -> None:
        _sim_check(self._lib.dgp_sim_disconnect_all(self._h()))

    def restart(self, down: float) -> None:
        """Drops every client and refuses connections for ``down`` seconds."""
        _sim_check(self._lib.dgp_sim_restart(self._h(), _ms(down, "down")))

    # -- assertions ----------------------------------------------------------

    def wait_for_logins(self, count: int = 1, timeout: float = 10.0) -> None:
        """Raises dgphone.TimeoutError unless ``count`` clients are logged in in time."""
        _sim_check(self._lib.dgp_sim_wait_for_logins(self._h(), count, _ms(timeout, "timeout")))

    def wait_for_command(self, name: Text, timeout: float = 10.0) -> None:
        """Waits for a command named ``name`` not returned before (raises
        dgphone.TimeoutError if none came)."""
        _sim_check(self._lib.dgp_sim_wait_for_command(self._h(), _text(name, "name"), _ms(timeout, "timeout")))

    def wait_for_scenario(self, timeout: float = 10.0) -> None:
        """Raises ScenarioFailedError (with the simulator's message) if the
        next scenario run failed, dgphone.TimeoutError if none ended."""
        _sim_check(self._lib.dgp_sim_wait_for_scenario(self._h(), _ms(timeout, "timeout")))

    @property
    def command_count(self) -> int:
        """Packets received from all clients so far."""
        return int(self._lib.dgp_sim_command_count(self._h()))


class Replay:
    """A replay of a wire recording (``dgp_replay``) as a server."""

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        host: Optional[str] = None,
        port: int = 0,
        wait_for_client: bool = True,
    ) -> None:
        self._lib = _native.sim_library()
        self._handle: Optional[Any] = None
        if not isinstance(port, int) or not 0 <= port <= 0xFFFF:
            raise invalid_argument(f"port {port!r} is not 0 to 65535")
        handle = _native.ReplayP()
        _sim_check(
            self._lib.dgp_replay_start(
                _text(os.fspath(path), "path"), _optional_text(host, "host"), port, int(wait_for_client), byref(handle)
            )
        )
        self._handle = handle
        self.port: int = int(self._lib.dgp_replay_port(handle))

    def __enter__(self) -> "Replay":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except BaseException:  # noqa: B036
            pass

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.dgp_replay_free(handle)

    def wait_until_played(self, count: int = 1, timeout: float = 10.0) -> None:
        if self._handle is None:
            raise error_for(2, "the replay is closed")
        _sim_check(self._lib.dgp_replay_wait_until_played(self._handle, count, _ms(timeout, "timeout")))
