"""dgphone.sim: settings, scenarios, faults, actions, recording and
replay, and the pytest fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WAIT, next_of

import dgphone
from dgphone import Client, EventKind
from dgphone.sim import Replay, Simulator, TimestampFields


def test_the_plugin_fixture_is_a_running_simulator(dgphone_sim: Simulator) -> None:
    assert 0 < dgphone_sim.port < 65536 and dgphone_sim.host == "127.0.0.1"
    with Client() as client:
        client.connect(dgphone_sim.host, dgphone_sim.port)
        client.login("201")
        dgphone_sim.wait_for_logins(1, WAIT)


def test_scenario_text_passes_and_fails_with_the_simulator_s_words() -> None:
    scenario = "expect Login\nring 2 5551234\nexpect Answer Line=2\n"
    with Simulator(scenario_text=("answer-on-2", scenario)) as sim:
        with Client() as client:
            client.connect("127.0.0.1", sim.port)
            client.login("201")
            ring = next_of(client, EventKind.RECEIVING_CALL)
            client.answer(ring.line, wait=WAIT)
            sim.wait_for_scenario(WAIT)
        with Client() as client:
            client.connect("127.0.0.1", sim.port)
            client.login("202")
            next_of(client, EventKind.RECEIVING_CALL)
            client.hangup(2)
            client.disconnect()
            with pytest.raises(dgphone.ScenarioFailedError) as info:
                sim.wait_for_scenario(WAIT)
            assert "answer-on-2" in info.value.message


def test_built_in_scenario_and_actions(tmp_path: Path) -> None:
    with Simulator(scenario="incoming-call") as sim, Client() as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        ring = next_of(client, EventKind.RECEIVING_CALL)
        client.answer(ring.line, wait=WAIT)
        assert next_of(client, EventKind.DTMF_RECEIVED).digit == "5"
        next_of(client, EventKind.HANGUP)
        sim.wait_for_scenario(WAIT)
        sim.perform("ring 3 999")
        assert next_of(client, EventKind.RECEIVING_CALL).number == "999"
        sim.perform('send Busy Message="all lines"')
        assert next_of(client, EventKind.BUSY).message == "all lines"
        with pytest.raises(dgphone.InvalidArgumentError):
            sim.perform("dance")
        sim.agent_event(EventKind.AGENT_CALLED, "7001", "1700000000.1")
        called = next_of(client, EventKind.AGENT_CALLED)
        assert (called.agent, called.uniqueid) == ("7001", "1700000000.1")


def test_faults_timestamps_and_far_end(tmp_path: Path) -> None:
    with Simulator(timestamp_interval=0.05, timestamp_fields=TimestampFields.TIMESTAMP, auto_answer=False) as sim:
        with Client() as client:
            client.connect("127.0.0.1", sim.port)
            client.login("201")
            stamp = next_of(client, EventKind.TIMESTAMP)
            assert stamp.time is not None and stamp.time.isdigit()
            client.dial("1002", wait=WAIT)
            sim.far_end_answer(1)
            next_of(client, EventKind.ANSWER)
            sim.far_end_hangup(1)
            next_of(client, EventKind.HANGUP)
            sim.set_fault("oversize")
            assert next_of(client, EventKind.PROTOCOL_ERROR).detail
            sim.send_raw(b"Event: Custom\r\nX: 1\r\n\r\n")
            assert next_of(client, EventKind.UNKNOWN).header("x") == "1"
            sim.disconnect_all()
            assert next_of(client, EventKind.DISCONNECTED).disconnect_reason == dgphone.DisconnectReason.CLOSED_BY_PEER


def test_recording_replays(tmp_path: Path) -> None:
    recording = tmp_path / "call.rec"
    with Simulator(record=recording) as sim, Client() as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.incoming_call(1, "5551234")
        client.answer(1, wait=WAIT)
    assert recording.stat().st_size > 0
    with Replay(recording) as replay, Client() as client:
        client.connect("127.0.0.1", replay.port)
        client.login("201")
        assert next_of(client, EventKind.RECEIVING_CALL).number == "5551234"
        client.answer(1)
        replay.wait_until_played(1, WAIT)
    with pytest.raises(dgphone.InvalidArgumentError):
        Replay(tmp_path / "missing.rec")


def test_wire_log_redacts_dtmf(sim: Simulator, tmp_path: Path) -> None:
    log = tmp_path / "wire.log"
    with Client(wire_log=str(log)) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        client.send_dtmf("4321")
        sim.wait_for_command("SendDtmf", WAIT)
    text = log.read_text()
    assert "Login" in text and "4321" not in text and "<redacted>" in text


def test_closed_simulator_refuses_calls() -> None:
    sim = Simulator()
    sim.close()
    sim.close()
    with pytest.raises(dgphone.NullPointerError):
        sim.incoming_call(1, "1")
