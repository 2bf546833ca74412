"""The call flow end to end, the flows, the agent login, the generic
command and the state queries, against the simulator."""

from __future__ import annotations

from conftest import WAIT, Recorder, next_of

from dgphone import AgentState, Client, EventKind, HoldMode, LineState
from dgphone.sim import Simulator


def test_full_call_flow_with_typed_events(sim: Simulator, cb_client: Client, recorder: Recorder) -> None:
    client = cb_client
    sim.incoming_call(1, "5511999990000")
    ring = recorder.wait_kind(EventKind.RECEIVING_CALL)
    assert (ring.line, ring.number, ring.user) == (1, "5511999990000", "201")
    assert ("Status", "ReceivingCall") in ring.headers

    client.answer(1, wait=WAIT)
    assert client.line_state(1) == LineState.CONNECTED
    assert client.line_number(1) == "5511999990000"

    client.hold(True, wait=WAIT)
    held = recorder.wait_for(lambda e: e.kind == EventKind.HOLD and e.hold is True)
    assert held.line == 1
    assert client.line_state(1) == LineState.ON_HOLD
    client.hold(False, wait=WAIT)
    assert client.line_state(1) == LineState.CONNECTED

    client.send_dtmf("12#")
    sim.wait_for_command("SendDtmf", WAIT)
    sim.dtmf_received(1, "5")
    digit = recorder.wait_kind(EventKind.DTMF_RECEIVED)
    assert digit.digit == "5"

    client.hangup(1, wait=WAIT)
    recorder.wait_for(lambda e: e.kind == EventKind.HANGUP and e.line == 1)
    recorder.wait_for(lambda e: e.kind == EventKind.READY and e.line == 1)

    client.line_select(2, wait=WAIT)
    assert client.selected_line == 2
    client.dial("1002", wait=WAIT)
    dialing = recorder.wait_kind(EventKind.DIALING)
    assert (dialing.line, dialing.number) == (2, "1002")
    recorder.wait_for(lambda e: e.kind == EventKind.ANSWER and e.line == 2)
    assert client.line_state(2) == LineState.CONNECTED
    client.hangup(2, wait=WAIT)
    assert client.line_state(2) != LineState.CONNECTED


def test_the_flows_act_on_the_line_a_person_means(sim: Simulator, client: Client) -> None:
    client.line_select(1, wait=WAIT)
    sim.incoming_call(3, "5511")
    client.refresh_lines(WAIT)
    assert client.line_state(3) == LineState.OFFERING
    client.answer_call(timeout=WAIT)
    assert client.line_state(3) == LineState.CONNECTED
    client.hold_call(HoldMode.ON, timeout=WAIT)
    assert client.line_state(3) == LineState.ON_HOLD
    client.hold_call(HoldMode.TOGGLE, timeout=WAIT)
    assert client.line_state(3) == LineState.CONNECTED
    client.send_call_dtmf("12#", timeout=WAIT)
    client.end_call(timeout=WAIT)
    assert client.line_state(3) != LineState.CONNECTED
    client.place_call("1002", line=2, timeout=WAIT)
    assert client.line_state(2) in (LineState.DIALING, LineState.CONNECTED)


def test_state_queries(sim: Simulator, client: Client) -> None:
    assert client.is_connected and client.is_logged_in
    sim.incoming_call(4, "777")
    client.refresh_lines(WAIT)
    lines = client.lines()
    assert [info.line for info in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[3].state == LineState.OFFERING and lines[3].number == "777"
    assert all(info.state == LineState.IDLE and info.number == "" for i, info in enumerate(lines) if i != 3)
    assert client.agent_state == AgentState.LOGGED_OUT
    assert client.dropped_events == 0
    assert "connected=True" in repr(client)


def test_agent_login_flow_and_pause(client: Client, sim: Simulator) -> None:
    client.login_agent("7001", "1234", line=1, step_timeout=WAIT)
    state = client.agent_state
    assert state == AgentState.AVAILABLE
    next_of(client, EventKind.AGENT_LOGIN)
    client.agent_pause("7001", True, reason="lunch", wait=WAIT)
    paused = next_of(client, EventKind.AGENT_PAUSED)
    assert paused.paused is True and paused.agent == "7001"
    assert client.agent_state == AgentState.PAUSED


def test_generic_command_and_queue_status(client: Client, sim: Simulator) -> None:
    client.send_command("Transfer", {"Line": "1", "Number": "2002"})
    sim.wait_for_command("Transfer", WAIT)
    error = next_of(client, EventKind.ERROR)
    assert error.message == "Unknown command Transfer"
    client.send_command("Status")
    sim.wait_for_command("Status", WAIT)
    client.queue_status(None, wait=WAIT)
    next_of(client, EventKind.QUEUE_STATUS_COMPLETE)


def test_status_logoff_and_disconnect_events(sim: Simulator, client: Client) -> None:
    client.status()
    sim.wait_for_command("Status", WAIT)
    client.logoff()
    event = next_of(client, EventKind.DISCONNECTED)
    assert event.disconnect_reason.name in ("LOGGED_OFF", "CLOSED_BY_PEER")
    assert not client.is_logged_in


def test_lifecycle_events_carry_their_detail(sim: Simulator) -> None:
    with Client() as client:
        client.connect("127.0.0.1", sim.port)
        connected = next_of(client, EventKind.CONNECTED)
        assert connected.detail.endswith(f":{sim.port}") and connected.headers == ()
        greeting = next_of(client, EventKind.GREETING)
        assert greeting.detail == "DGPhone Remote Control/1.0"
        client.login("201")
        assert next_of(client, EventKind.LOGGED_IN).detail == "201"
        client.disconnect()
        gone = next_of(client, EventKind.DISCONNECTED)
        assert gone.disconnect_reason.name == "REQUESTED"
        assert not client.is_connected


def test_reconnection_events_carry_their_numbers(sim: Simulator) -> None:
    with Client(reconnect=True, reconnect_initial=0.05, reconnect_max=0.2) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        next_of(client, EventKind.LOGGED_IN)
        sim.disconnect_all()
        gone = next_of(client, EventKind.DISCONNECTED)
        assert gone.disconnect_reason.name == "CLOSED_BY_PEER" and gone.detail
        retry = next_of(client, EventKind.RECONNECTING)
        assert retry.attempt == 1 and retry.delay_ms > 0
        next_of(client, EventKind.CONNECTED)
        assert next_of(client, EventKind.LOGGED_IN).detail == "201"  # logged in again by itself
        sim.wait_for_logins(1, WAIT)
        assert client.is_logged_in
