"""Every error path: the code, the exception class, the library's own
message, and for bad input that nothing was sent."""

from __future__ import annotations

import re
import threading
import time
from typing import Callable

import pytest
from conftest import REPO, WAIT, Recorder

import dgphone
from dgphone import Client, Event, EventKind
from dgphone.errors import ERROR_CLASSES, DGPhoneError
from dgphone.sim import LoginPolicy, Simulator


def _sent(sim: Simulator) -> int:
    return sim.command_count


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda c: c.dial("12\r\nAction: Hangup"), "carriage return"),
        (lambda c: c.send_dtmf("12X"), "X"),
        (lambda c: c.line_select(9), "9"),
        (lambda c: c.answer(7), "7"),
        (lambda c: c.dial("9" * 65), "64"),
        (lambda c: c.send_command("Foo", {"Bad Key": "1"}), "Bad Key"),
        (lambda c: c.send_command("Foo", {"Action": "Login"}), "Action"),
        (lambda c: c.agent_pause("7001", True, reason="x" * 257), "256"),
    ],
)
def test_invalid_argument_sends_nothing(sim: Simulator, client: Client, call: object, fragment: str) -> None:
    before = _sent(sim)
    with pytest.raises(dgphone.InvalidArgumentError) as info:
        call(client)  # type: ignore[operator]
    assert info.value.code == 1
    assert fragment in info.value.message, info.value.message
    assert str(info.value).endswith("(DGP_ERR_INVALID_ARGUMENT)")
    client.status()  # a command that goes: the simulator sees it, and only it
    sim.wait_for_command("Status", WAIT)
    assert _sent(sim) == before + 1


def test_binding_refusals_before_the_call(sim: Simulator, client: Client) -> None:
    before = _sent(sim)
    with pytest.raises(dgphone.InvalidArgumentError, match="NUL"):
        client.dial("12\x003")  # ctypes would cut it at the NUL
    with pytest.raises(dgphone.InvalidArgumentError, match="65535"):
        client.connect("127.0.0.1", 70000)  # ctypes would truncate the port
    with pytest.raises(dgphone.InvalidArgumentError, match="32-bit"):
        client.answer(1 << 40)
    with pytest.raises(dgphone.InvalidArgumentError, match="negative"):
        client.dial("1", wait=-1)
    client.status()
    sim.wait_for_command("Status", WAIT)
    assert _sent(sim) == before + 1


def test_not_utf8_is_the_library_s_refusal(sim: Simulator, client: Client) -> None:
    with pytest.raises(dgphone.NotUtf8Error) as info:
        client.dial(b"12\xff")
    assert info.value.code == 3 and "UTF-8" in info.value.message
    with pytest.raises(dgphone.NotUtf8Error):
        client.dial("12\udcff")  # a lone surrogate goes as the bytes it stands for


def test_not_connected_and_not_logged_in(sim: Simulator) -> None:
    with Client() as client:
        with pytest.raises(dgphone.NotConnectedError) as info:
            client.dial("1002")
        assert info.value.code == 4 and info.value.message
        with pytest.raises(dgphone.NotConnectedError):
            client.login("201")
        client.connect("127.0.0.1", sim.port)
        with pytest.raises(dgphone.AlreadyConnectedError):
            client.connect("127.0.0.1", sim.port)
        before = _sent(sim)
        with pytest.raises(dgphone.NotLoggedInError) as logged:
            client.dial("1002")
        assert logged.value.code == 17
        client.login("201")
        with pytest.raises(dgphone.AlreadyLoggedInError):
            client.login("201")
        assert _sent(sim) == before + 1  # the login only


def test_connect_refused() -> None:
    with Simulator() as gone:
        port = gone.port
    with Client(connect_timeout=2.0) as client:
        with pytest.raises(dgphone.ConnectError) as info:
            client.connect("127.0.0.1", port)
        assert info.value.code == 6 and info.value.message
        assert isinstance(info.value, ConnectionError)


def test_login_rejected_carries_dgphone_s_text() -> None:
    with Simulator(login=LoginPolicy.REJECT, reject_message="Invalid user") as sim, Client() as client:
        client.connect("127.0.0.1", sim.port)
        with pytest.raises(dgphone.LoginRejectedError) as info:
            client.login("999")
        assert info.value.code == 7
        assert "Invalid user" in info.value.message
        assert not client.is_logged_in


def test_login_timeout() -> None:
    with Simulator(login=LoginPolicy.IGNORE) as sim, Client(command_timeout=0.3) as client:
        client.connect("127.0.0.1", sim.port)
        started = time.monotonic()
        with pytest.raises(dgphone.TimeoutError) as info:
            client.login("201")
        assert info.value.code == 9 and isinstance(info.value, TimeoutError)
        assert time.monotonic() - started < 5


def test_confirmation_timeout_and_command_failed(sim: Simulator) -> None:
    with Simulator(auto_answer=False) as quiet, Client() as client:
        client.connect("127.0.0.1", quiet.port)
        client.login("201")
        quiet.set_silent(True)
        with pytest.raises(dgphone.TimeoutError):
            client.dial("1002", wait=0.2)
        quiet.set_silent(False)
        with pytest.raises(dgphone.CommandFailedError) as failed:
            client.answer(4, wait=WAIT)
        assert failed.value.code == 8 and "4" in failed.value.message


def test_cancel_from_another_thread(client: Client, sim: Simulator) -> None:
    sim.set_silent(True)
    timer = threading.Timer(0.2, client.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(dgphone.CancelledError) as info:
        client.dial("1002", wait=WAIT)
    timer.join()
    assert info.value.code == 19 and time.monotonic() - started < 5


def test_would_deadlock_from_the_callback(sim: Simulator) -> None:
    outcomes: list[BaseException] = []
    done = threading.Event()
    holder: list[Client] = []

    def on_event(event: Event) -> None:
        if event.kind != EventKind.RECEIVING_CALL:
            return
        me = holder[0]
        calls: list[Callable[[], None]] = [
            lambda: me.login("201"),
            lambda: me.answer(1, wait=1.0),
            me.close,
            lambda: me.set_callback(None),
            lambda: me.connect("127.0.0.1", sim.port),
        ]
        for blocking in calls:
            try:
                blocking()
            except BaseException as error:  # noqa: B036
                outcomes.append(error)
        me.answer(1)  # a command without a wait works here
        done.set()

    with Client(on_event) as client:
        holder.append(client)
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.incoming_call(1, "555")
        assert done.wait(WAIT)
        sim.wait_for_command("Answer", WAIT)
        assert [type(e) for e in outcomes] == [dgphone.WouldDeadlockError] * 5
        assert all(e.code == 11 and e.message for e in outcomes)  # type: ignore[attr-defined]
        assert not client.closed  # close() was refused, the client lives
    assert client.closed


def test_closed_client_refuses_calls(sim: Simulator) -> None:
    client = Client()
    client.close()
    client.close()  # twice: nothing
    with pytest.raises(dgphone.NullPointerError, match="closed"):
        client.dial("1")
    assert repr(client) == "<dgphone.Client closed>"


def test_option_refused_by_the_library() -> None:
    with pytest.raises(dgphone.InvalidArgumentError) as info:
        Client(max_packet=10)
    assert "256" in info.value.message
    with pytest.raises(dgphone.InvalidArgumentError):
        Client(reconnect=True, reconnect_initial=5.0, reconnect_max=1.0)


def test_simulator_errors_use_its_own_channel() -> None:
    with pytest.raises(dgphone.InvalidArgumentError) as info:
        Simulator(faults=["explode"])
    assert "is not a fault" in info.value.message
    with pytest.raises(dgphone.InvalidArgumentError) as scenario:
        Simulator(scenario_text=("mine", "ring 9 555"))
    assert "mine" in scenario.value.message


def test_every_header_code_has_its_class_and_every_kind_its_member() -> None:
    header = (REPO / "include" / "dgphone.h").read_text()
    codes = {name: int(value) for name, value in re.findall(r"#define DGP_ERR_(\w+) (\d+)", header)}
    assert codes and set(codes.values()) == set(ERROR_CLASSES)
    for name, value in codes.items():
        words = "".join(w.capitalize() for w in name.lower().split("_"))
        cls = ERROR_CLASSES[value]
        assert cls.__name__.replace("Error", "") == words.replace("Error", ""), (name, cls)
        assert issubclass(cls, DGPhoneError)
    kinds = {name: int(value) for name, value in re.findall(r"#define DGP_EVENT_(\w+) (\d+)", header)}
    assert {k.name: int(k) for k in EventKind} == kinds
    for prefix, enum in [("LINE", dgphone.LineState), ("AGENT", dgphone.AgentState),
                         ("DISCONNECT", dgphone.DisconnectReason), ("HOLD", dgphone.HoldMode),
                         ("OVERFLOW", dgphone.OverflowPolicy), ("LOG", dgphone.LogLevel)]:
        found = {n: int(v) for n, v in re.findall(rf"#define DGP_{prefix}_(\w+) (\d+)", header)}
        assert {m.name: int(m) for m in enum} == found, prefix
    major, minor, patch = (int(re.search(rf"#define DGP_VERSION_{p} (\d+)", header).group(1))  # type: ignore[union-attr]
                           for p in ("MAJOR", "MINOR", "PATCH"))
    assert dgphone.HEADER_VERSION == (major, minor, patch)
    assert EventKind(4242).name == "EVENTKIND_4242"  # a newer kind is no error


class _FakeLibrary:
    def __init__(self, number: int) -> None:
        self.number = number

    def dgp_version_number(self) -> int:
        return self.number


def test_version_check_at_import() -> None:
    from dgphone import _native

    major, minor, patch = _native.HEADER_VERSION
    same = major << 16 | minor << 8 | patch
    assert _native._check_version(_FakeLibrary(same + 7), "lib") == (major, minor, patch + 7)  # a newer patch
    for other in (same + (1 << 16), same + (1 << 8) if major == 0 else same - (1 << 8)):
        with pytest.raises(dgphone.VersionMismatch, match="written for"):
            _native._check_version(_FakeLibrary(other), "lib")
    assert _native.LIBRARY_VERSION == dgphone.HEADER_VERSION
    assert dgphone.version() == ".".join(map(str, dgphone.HEADER_VERSION))


def test_simulator_waits_time_out(sim: Simulator) -> None:
    with pytest.raises(dgphone.TimeoutError) as info:
        sim.wait_for_logins(1, 0.1)
    assert info.value.code == 9
    with pytest.raises(dgphone.TimeoutError):
        sim.wait_for_command("Dial", 0.1)
