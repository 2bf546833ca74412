"""Events three ways (callback, iterator, asyncio), the packed record's
decoding, and the hard cases: closing while events flood, a callback
collected by the GC, a callback that raises."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import threading
import time
import weakref
from typing import List

import pytest
from conftest import REPO, WAIT, Recorder, next_of

import dgphone
from dgphone import Client, Event, EventKind, _native
from dgphone.events import decode, decode_batch, RECORD
from dgphone.sim import Simulator


def seqs(events: List[Event]) -> List[int]:
    return [int(e.header("Seq") or 0) for e in events if e.kind == EventKind.DTMF_RECEIVED]


def assert_in_order_losses_reported(events: List[Event]) -> int:
    """Flood events come in order; gaps add up to no more than the losses
    OVERFLOW events reported before them (a report may come a few events
    ahead of its gap: the callback thread had those in hand when the
    backlog dropped its oldest). Returns the number of flood events seen."""
    expected, allowance, seen = 1, 0, 0
    for event in events:
        if event.kind == EventKind.OVERFLOW:
            allowance += event.dropped
        elif event.kind == EventKind.DTMF_RECEIVED:
            seq = int(event.header("Seq") or 0)
            assert seq >= expected, (seq, expected)
            allowance -= seq - expected
            assert allowance >= 0, f"{seq - expected} lost before Seq {seq}, not reported"
            expected = seq + 1
            seen += 1
    return seen


def test_callbacks_run_on_the_library_s_delivery_thread(sim: Simulator, cb_client: Client, recorder: Recorder) -> None:
    sim.set_fault("flood=500")
    recorder.wait_for(lambda e: e.header("Seq") == "500")
    assert len(recorder.threads) == 1
    (thread,) = recorder.threads
    assert thread != threading.get_ident()
    assert thread not in {t.ident for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}
    assert seqs(recorder.events) == list(range(1, 501))  # in order, none lost


def test_iterator_yields_in_order_and_ends_on_its_timeout(sim: Simulator, client: Client, pull_path: str) -> None:
    sim.set_fault("flood=2000")
    got: List[Event] = []
    for event in client.events(timeout=WAIT):
        got.append(event)
        if event.header("Seq") == "2000":
            break
    assert seqs(got) == list(range(1, 2001))
    started = time.monotonic()
    assert list(client.events(timeout=0.2)) == []
    assert 0.15 < time.monotonic() - started < 3
    assert client.next_event(timeout=0.05) is None


def test_iterator_keeps_what_a_stopped_loop_did_not_take(sim: Simulator, client: Client) -> None:
    sim.set_fault("flood=50")
    first = next_of(client, EventKind.DTMF_RECEIVED)
    assert first.header("Seq") == "1"
    rest = []
    for event in client.events(timeout=WAIT):
        rest.append(event)
        if event.header("Seq") == "50":
            break
    assert seqs(rest) == list(range(2, 51))


def test_asyncio_several_clients_on_one_loop_without_threads(sim: Simulator, pull_path: str) -> None:
    clients = [Client() for _ in range(3)]
    try:
        for n, c in enumerate(clients):
            c.connect("127.0.0.1", sim.port)
            c.login(f"20{n}")
        threads_before = threading.active_count()

        async def drain(c: Client) -> List[int]:
            got: List[Event] = []
            async for event in c.aevents(timeout=WAIT):
                got.append(event)
                if event.header("Seq") == "300":
                    break
            return seqs(got)

        async def main() -> List[List[int]]:
            tasks = [asyncio.create_task(drain(c)) for c in clients]
            await asyncio.sleep(0)
            await asyncio.get_running_loop().run_in_executor(None, sim.set_fault, "flood=300")
            return await asyncio.gather(*tasks)

        results = asyncio.run(main())
        assert results == [list(range(1, 301))] * 3
        # No thread per client: only the executor's helper for set_fault.
        assert threading.active_count() <= threads_before + 1

        async def quiet() -> List[Event]:
            return [e async for e in clients[0].aevents(timeout=0.1)]

        assert asyncio.run(quiet()) == []
    finally:
        for c in clients:
            c.close()


def test_asyncio_wait_ends_when_the_client_closes(sim: Simulator) -> None:
    client = Client()
    client.connect("127.0.0.1", sim.port)
    client.login("201")

    async def main() -> List[Event]:
        got: List[Event] = []

        async def consume() -> None:
            async for event in client.aevents():
                got.append(event)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.1)
        client.close()
        await asyncio.wait_for(task, WAIT)
        return got

    got = asyncio.run(main())
    assert EventKind.LOGGED_IN in [e.kind for e in got]
    assert client.closed


def test_closing_while_events_flood_callback(sim: Simulator) -> None:
    for _ in range(3):
        recorder = Recorder()
        client = Client(recorder)
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        flood = threading.Thread(target=sim.set_fault, args=("flood=20000",))
        flood.start()
        recorder.wait_for(lambda e: e.kind == EventKind.DTMF_RECEIVED)
        client.close()
        after = len(recorder.events)
        time.sleep(0.05)
        assert len(recorder.events) == after  # no callback after close() returned
        flood.join(WAIT)
        assert not flood.is_alive()
        assert assert_in_order_losses_reported(recorder.events) > 0


def test_closing_while_another_thread_iterates(sim: Simulator, pull_path: str) -> None:
    client = Client()
    client.connect("127.0.0.1", sim.port)
    client.login("201")
    got: List[Event] = []
    errors: List[BaseException] = []

    def pull() -> None:
        try:
            for event in client.events():
                got.append(event)
        except BaseException as error:  # noqa: B036
            errors.append(error)

    reader = threading.Thread(target=pull)
    reader.start()
    flood = threading.Thread(target=sim.set_fault, args=("flood=20000",))
    flood.start()
    deadline = time.monotonic() + WAIT
    while not any(e.kind == EventKind.DTMF_RECEIVED for e in list(got)) and time.monotonic() < deadline:
        time.sleep(0.01)
    client.close()
    reader.join(WAIT)
    flood.join(WAIT)
    assert not reader.is_alive() and not flood.is_alive()
    assert errors == []  # the iterator ends quietly when the client closes
    assert assert_in_order_losses_reported(got) > 0


def test_a_callback_collected_by_the_gc(sim: Simulator) -> None:
    got: List[int] = []

    def install(client: Client) -> "weakref.ref[object]":
        class Handler:
            def __call__(self, event: Event) -> None:
                got.append(int(event.header("Seq") or 0))

        handler = Handler()
        client.set_callback(handler)
        return weakref.ref(handler)

    client = Client()
    client.connect("127.0.0.1", sim.port)
    client.login("201")
    ref = install(client)
    gc.collect()
    assert ref() is not None  # the client keeps the user's callable (and the trampoline)
    sim.set_fault("flood=1000")
    deadline = time.monotonic() + WAIT
    while (not got or got[-1] != 1000) and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    assert got[-1] == 1000

    # The client itself dropped, never closed, while events flood: the
    # finalizer frees it; nothing may crash.
    flood = threading.Thread(target=sim.set_fault, args=("flood=20000",))
    flood.start()
    client_ref = weakref.ref(client)
    del client
    gc.collect()
    assert client_ref() is None
    flood.join(WAIT)
    gc.collect()
    assert ref() is None  # and its callable with it


def test_a_callback_that_raises_is_reported_not_unwound(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    reported: List[BaseException] = []
    got: List[Event] = []

    def on_event(event: Event) -> None:
        got.append(event)
        if event.kind == EventKind.RECEIVING_CALL:
            raise RuntimeError("boom in the callback")

    with Client(on_event, on_callback_error=reported.append) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.incoming_call(1, "555")
        sim.incoming_call(2, "556")
        deadline = time.monotonic() + WAIT
        while len(reported) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        client.answer(2, wait=WAIT)  # the client goes on
    assert [str(e) for e in reported] == ["boom in the callback"] * 2

    # Without a handler: the "dgphone" logger, with the traceback.
    with caplog.at_level(logging.ERROR, logger="dgphone"):
        with Client(on_event) as client:
            client.connect("127.0.0.1", sim.port)
            client.login("202")
            sim.incoming_call(3, "557")
            deadline = time.monotonic() + WAIT
            while not caplog.records and time.monotonic() < deadline:
                time.sleep(0.01)
    assert caplog.records and caplog.records[0].exc_info is not None
    assert "boom in the callback" in caplog.text


def test_switching_between_callback_and_queue_loses_nothing(sim: Simulator, client: Client) -> None:
    recorder = Recorder()
    client.set_callback(recorder)
    sim.set_fault("flood=200")
    recorder.wait_for(lambda e: e.header("Seq") == "200")
    client.set_callback(None)
    sim.set_fault("flood=100")
    got = []
    for event in client.events(timeout=WAIT):
        got.append(event)
        if event.header("Seq") == "100":
            break
    assert seqs(got) == list(range(1, 101))


def _accessor_view(event: int) -> dict[str, object]:
    lib = _native.lib

    def text(value: bytes | None) -> str | None:
        return None if value is None else value.decode()

    flag = {1: True, 0: False, -1: None}
    count = lib.dgp_event_header_count(event)
    digit = lib.dgp_event_digit(event)
    success = lib.dgp_event_success(event)
    return {
        "kind": lib.dgp_event_kind(event),
        "line": lib.dgp_event_line(event),
        "headers": tuple((text(lib.dgp_event_header_key(event, i)), text(lib.dgp_event_header_value(event, i)))
                         for i in range(count)),
        "detail": text(lib.dgp_event_detail(event)),
        "disconnect_reason": lib.dgp_event_disconnect_reason(event),
        "attempt": lib.dgp_event_attempt(event),
        "delay_ms": lib.dgp_event_delay_ms(event),
        "dropped": lib.dgp_event_dropped(event),
        "number": text(lib.dgp_event_number(event)),
        "user": text(lib.dgp_event_user(event)),
        "agent": text(lib.dgp_event_agent(event)),
        "uniqueid": text(lib.dgp_event_uniqueid(event)),
        "message": text(lib.dgp_event_message(event)),
        "status": text(lib.dgp_event_status(event)),
        "queue": text(lib.dgp_event_queue(event)),
        "time": text(lib.dgp_event_time(event)),
        "hold": flag[lib.dgp_event_hold(event)],
        "paused": flag[lib.dgp_event_paused(event)],
        "digit": chr(digit) if digit else None,
        "success": None if success == -1 else bool(success),
    }


def _decoded_view(e: Event) -> dict[str, object]:
    return {
        "kind": int(e.kind), "line": e.line, "headers": e.headers, "detail": e.detail,
        "disconnect_reason": int(e.disconnect_reason), "attempt": e.attempt, "delay_ms": e.delay_ms,
        "dropped": e.dropped, "number": e.number, "user": e.user, "agent": e.agent, "uniqueid": e.uniqueid,
        "message": e.message, "status": e.status, "queue": e.queue, "time": e.time, "hold": e.hold,
        "paused": e.paused, "digit": e.digit, "success": e.success,
    }


def test_the_packed_record_decodes_as_the_accessors_read(sim: Simulator) -> None:
    """One dgp_event_copy per event gives what ~20 accessor calls give."""
    odd = (
        b"Event: DGPhoneEvent\r\nStatus: Hold\r\nLine: 9\r\nHold: yes\r\nUser: 201\r\n\r\n"
        b"Event: DGPhoneEvent\r\nStatus: DTMFReceived\r\nLine: 2\r\nDigit: b\r\n\r\n"
        b"Event: DGPhoneEvent\r\nStatus: AgentPaused\r\nAgent: 7001\r\nPaused: 0\r\nQueue: vendas\r\n\r\n"
        b"Event: DGPhoneEvent\r\nStatus: Error\r\nMessage: N\xe3o\r\nmessage: second\r\n\r\n"
        b"Event: DGTimeStamp\r\nTimestamp: 1700000000\r\n\r\n"
        b"Event: DGPhoneResponse\r\nResponse: success\r\n\r\n"
        b"Event: Custom\r\nno colon here\r\nEmpty: \r\n\r\n"
        b"Event: DGPhoneEvent\r\nStatus: Transfer\r\nUniqueid: 1700.1\r\nTime: 2026-12-03 10:00:00\r\n\r\n"
    )
    with Client() as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.incoming_call(1, "Jos\u00e9 5511")
        sim.send_raw(odd)
        sim.disconnect_all()
        lib = _native.lib
        handle = client._handle
        raw = ctypes.c_void_p()
        buffer = bytearray(4096)
        view = (ctypes.c_char * 4096).from_buffer(buffer)
        needed = ctypes.c_uint32()
        compared = 0
        kinds = set()
        while True:
            code = lib.dgp_next_event(handle, int(WAIT * 1000), ctypes.byref(raw))
            assert code == 0, _native.last_error()
            assert lib.dgp_event_copy(raw, None, 0, ctypes.byref(needed)) == _native.DGP_ERR_BUFFER_TOO_SMALL
            assert lib.dgp_event_copy(raw, view, 4096, ctypes.byref(needed)) == 0
            event, size = decode(buffer)
            assert size == needed.value and RECORD.unpack_from(buffer)[8] == 48
            assert _decoded_view(event) == _accessor_view(raw.value or 0)
            kinds.add(event.kind)
            compared += 1
            lib.dgp_event_free(raw)
            if event.kind == EventKind.DISCONNECTED:
                break
    assert compared >= 12
    assert {EventKind.HOLD, EventKind.DTMF_RECEIVED, EventKind.TIMESTAMP, EventKind.UNKNOWN,
            EventKind.OTHER_STATUS, EventKind.ERROR, EventKind.CONNECTED} <= kinds


def test_decode_batch_walks_8_byte_aligned_records() -> None:
    import struct

    def record(kind: int, headers: list[tuple[bytes, bytes]]) -> bytes:
        body = bytearray(48 + 16 * len(headers))
        entries = []
        for key, value in headers:
            ko = len(body); body += key + b"\0"
            vo = len(body); body += value + b"\0"
            entries.append((ko, len(key), vo, len(value)))
        detail = len(body); body += b"\0"
        for i, entry in enumerate(entries):
            struct.pack_into("=IIII", body, 48 + 16 * i, *entry)
        struct.pack_into("=IIiIIIQIIII", body, 0, len(body), kind, 1, 0, 0, 0, 0, len(headers), 48, detail, 0)
        return bytes(body)

    one = record(107, [(b"Digit", b"5"), (b"Seq", b"1")])
    two = record(105, [(b"Status", b"Hangup")])
    packed = one + b"\0" * ((-len(one)) % 8) + two
    events = decode_batch(packed, 2)
    assert [e.kind for e in events] == [EventKind.DTMF_RECEIVED, EventKind.HANGUP]
    assert events[0].digit == "5" and events[1].status == "Hangup"


def test_events_are_frozen_and_slotted() -> None:
    event = Event(EventKind.HOLD, 1, (("Hold", "1"),))
    with pytest.raises(AttributeError):
        event.line = 2  # type: ignore[misc]
    assert not hasattr(event, "__dict__")
    assert event.hold is True and event.header("hold") == "1" and event.header("nope") is None


def test_log_callback(sim: Simulator) -> None:
    lines: List[tuple[dgphone.LogLevel, str]] = []
    with Client(on_log=lambda level, text: lines.append((level, text)), log_level=dgphone.LogLevel.DEBUG) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        client.send_dtmf("1234")
        sim.wait_for_command("SendDtmf", WAIT)
    assert any(level == dgphone.LogLevel.INFO for level, _ in lines)
    assert not any("1234" in text for _, text in lines)  # DTMF redacted


def test_a_blocking_queue_loses_nothing_of_a_big_flood(sim: Simulator, pull_path: str) -> None:
    with Client(overflow_policy=dgphone.OverflowPolicy.BLOCK, queue_capacity=1024) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        flood = threading.Thread(target=sim.set_fault, args=("flood=20000",))
        flood.start()
        got: List[Event] = []
        for event in client.events(timeout=WAIT):
            got.append(event)
            if event.header("Seq") == "20000":
                break
        flood.join(WAIT)
        assert seqs(got) == list(range(1, 20001))
        assert client.dropped_events == 0


def test_the_library_has_the_batch_pull_its_header_declares() -> None:
    header = (REPO / "include" / "dgphone.h").read_text()
    assert ("dgp_next_records(" in header) == hasattr(_native.lib, "dgp_next_records")
    assert _native.HAS_NEXT_RECORDS == hasattr(_native.lib, "dgp_next_records")


def test_a_big_event_grows_the_buffers(sim: Simulator, pull_path: str) -> None:
    """An event bigger than the reused buffers (4 KiB for a callback's copy,
    64 KiB for a batch): the first try says how much, the retry takes it."""
    big = "x" * 200
    headers = "".join(f"H{i}: {big}\r\n" for i in range(400)).encode()  # ~90 KiB
    packet = b"Event: Big\r\n" + headers + b"\r\n"
    recorder = Recorder()
    with Client(recorder, max_packet=1 << 20, queue_with_callback=True) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("201")
        sim.send_raw(packet)
        sim.send_raw(b"Event: Small\r\nX: 1\r\n\r\n")
        event = recorder.wait_for(lambda e: e.header("Event") == "Big")
        assert len(event.headers) == 401 and event.header("H399") == big
        recorder.wait_for(lambda e: e.header("Event") == "Small")
        pulled = [e for e in client.events(timeout=0.5) if e.kind == EventKind.UNKNOWN]
        assert [e.header("Event") for e in pulled] == ["Big", "Small"]
        assert pulled[0].headers == event.headers


def test_many_callback_clients_come_and_go(sim: Simulator) -> None:
    """Each callback thread's pinned Python thread state is let go on that
    thread (at DISCONNECTED, which close() makes come), never orphaned."""
    import dgphone.client as client_module

    orphans = len(client_module._orphans)
    for n in range(30):
        recorder = Recorder()
        client = Client(recorder)
        client.connect("127.0.0.1", sim.port)
        client.login(f"3{n:02d}")
        recorder.wait_kind(EventKind.LOGGED_IN)
        assert client._pin.pinned and client._pin.tstate is not None
        if n % 2:
            client.disconnect()  # the pin goes with DISCONNECTED...
            assert not client._pin.pinned
            client.connect("127.0.0.1", sim.port)
            client.login(f"3{n:02d}")
            deadline = time.monotonic() + WAIT
            while recorder.count(EventKind.LOGGED_IN) < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            assert client._pin.pinned  # ...and comes back with the next connection
        client.close()
        assert not client._pin.pinned and client._pin.tstate is None
        assert recorder.events[-1].kind == EventKind.DISCONNECTED
    assert len(client_module._orphans) == orphans


def test_a_client_whose_last_reference_goes_on_its_callback_thread(sim: Simulator) -> None:
    import dgphone.client as client_module

    holder: List[Client] = []
    dropped = threading.Event()
    before = client_module._deferred_frees

    def on_event(event: Event) -> None:
        if event.kind == EventKind.RECEIVING_CALL and holder:
            holder.clear()  # the finalizer runs here, on the callback thread
            dropped.set()

    client = Client(on_event)
    client.connect("127.0.0.1", sim.port)
    client.login("201")
    holder.append(client)
    ref = weakref.ref(client)
    del client
    sim.incoming_call(1, "555")
    assert dropped.wait(WAIT)
    deadline = time.monotonic() + WAIT
    while client_module._deferred_frees == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client_module._deferred_frees == before + 1
    assert ref() is None
    sim.set_fault("flood=100")  # nobody left to call back: nothing may crash


def test_decode_follows_the_offsets_whatever_the_layout() -> None:
    """The contract gives offsets, not an order: strings reversed, with
    bytes between them, and a non-ASCII value (the per-string path)."""
    import struct

    def record(values: list[tuple[bytes, bytes]]) -> bytes:
        n = len(values)
        strings = bytearray()
        spots: dict[bytes, int] = {}
        for text in [t for pair in reversed(values) for t in reversed(pair)]:
            strings += b"\xff\n"  # bytes that belong to no string
            spots[text] = 48 + 16 * n + len(strings)
            strings += text + b"\0"
        body = bytearray(48 + 16 * n) + strings
        for i, (key, value) in enumerate(values):
            struct.pack_into("=IIII", body, 48 + 16 * i, spots[key], len(key), spots[value], len(value))
        struct.pack_into("=IIiIIIQIIII", body, 0, len(body), 102, 2, 0, 0, 0, 0, n, 48, len(body) - 1, 0)
        return bytes(body)

    ascii_pairs = [(b"Event", b"DGPhoneEvent"), (b"Status", b"ReceivingCall"), (b"Number", b"5511")]
    for pairs in (ascii_pairs, ascii_pairs + [(b"Name", "Jo\u00e3o".encode())]):
        for _ in range(2):  # the first builds the shape, the second uses it
            event, size = decode(record(pairs))
            assert event.headers == tuple((k.decode(), v.decode()) for k, v in pairs)
            assert (event.kind, event.line, event.number) == (EventKind.RECEIVING_CALL, 2, "5511")
