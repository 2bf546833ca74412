"""The Python binding's benchmark: figures, never a pass/fail.

In one run, on the same machine state:
1. C: the simulator's flood (dgp_sim_set_fault "flood=N") to a C callback,
   events/s; and latency, the simulator's write of a raw packet carrying a
   CLOCK_MONOTONIC timestamp -> the callback, p50/p99 (benches/c/flood_baseline.c).
2. dgphone (this package): the same flood to a Python function receiving a
   typed Event, through the callback and through the events() pull; the
   same latency probe, measured at the Python callback.
3. panoramisk (from PyPI): the flood's very bytes, captured from the
   simulator over a socket, served over a loopback socket to panoramisk's
   AMIProtocol on an asyncio loop, parsed and dispatched by its Manager to
   a callback (what it does on a live connection).
The ratio ours / panoramisk is the issue's goal (>= 2x).

Usage: bench.py --c-flood PATH [--quick] [--events N] [--report FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

import dgphone
from dgphone import Client, Event, EventKind, OverflowPolicy
from dgphone.sim import Simulator

WAIT = 30.0
# Queue and backlog room for a whole flood: every contender, C included,
# gets all the events without the reader ever waiting (DGP_OVERFLOW_BLOCK
# stays on as a guard, so a count is never short).
ROOM = 1 << 16
logging.getLogger("panoramisk").setLevel(logging.CRITICAL)
DTMF = EventKind.DTMF_RECEIVED


def _flood_in_background(sim: Simulator, n: int) -> threading.Thread:
    writer = threading.Thread(target=sim.set_fault, args=(f"flood={n}",), daemon=True)
    writer.start()
    return writer


class CallbackBench:
    """A logged-in client whose callback receives typed Events; each round
    times one flood of n events to it."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.done = threading.Event()
        self.count = self.target = self.lines = 0
        self.client = Client(self.on_event, overflow_policy=OverflowPolicy.BLOCK, delivery_backlog=ROOM)
        self.client.connect("127.0.0.1", sim.port)
        self.client.login("201")

    def on_event(self, event: Event) -> None:
        if event.kind == DTMF:
            self.lines += event.line  # read a field, as an application would
            self.count += 1
            if self.count == self.target:
                self.done.set()

    def round(self, n: int) -> float:
        self.done.clear()
        self.target = self.count + n
        started = time.perf_counter()
        writer = _flood_in_background(self.sim, n)
        if not self.done.wait(WAIT):
            raise RuntimeError(f"callback: {self.count} of {self.target} events")
        rate = n / (time.perf_counter() - started)
        writer.join()
        return rate


class AccessorBench:
    """The approach the issue measured first: a raw ctypes callback that
    reads each field with its own accessor call (kind, line, then every
    header's key and value), building the same typed Event."""

    def __init__(self, sim: Simulator) -> None:
        lib = dgphone._native.lib
        self.sim = sim
        self.done = threading.Event()
        self.count = self.target = 0
        kind, line, count = lib.dgp_event_kind, lib.dgp_event_line, lib.dgp_event_header_count
        key, value = lib.dgp_event_header_key, lib.dgp_event_header_value

        def raw(_user: Optional[int], event: Optional[int]) -> None:
            headers = tuple((key(event, i).decode(), value(event, i).decode()) for i in range(count(event)))
            typed = Event(EventKind(kind(event)), line(event), headers)
            if typed.kind == DTMF:
                self.count += 1
                if self.count == self.target:
                    self.done.set()

        self.cfunc = dgphone._native.EVENT_CALLBACK(raw)
        self.client = Client(overflow_policy=OverflowPolicy.BLOCK, delivery_backlog=ROOM)
        self.client.connect("127.0.0.1", sim.port)
        self.client.login("204")
        handle = self.client._handle
        if lib.dgp_set_event_callback(handle, self.cfunc, None) != 0:
            raise RuntimeError("dgp_set_event_callback")

    def round(self, n: int) -> float:
        self.done.clear()
        self.target = self.count + n
        started = time.perf_counter()
        writer = _flood_in_background(self.sim, n)
        if not self.done.wait(WAIT):
            raise RuntimeError(f"accessors: {self.count} of {self.target} events")
        rate = n / (time.perf_counter() - started)
        writer.join()
        return rate

    def close(self) -> None:
        self.client.close()


class PullBench:
    """A logged-in client read with ``for event in client.events()``."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.client = Client(overflow_policy=OverflowPolicy.BLOCK, queue_capacity=ROOM)
        self.client.connect("127.0.0.1", sim.port)
        self.client.login("202")
        for _ in self.client.events(timeout=0.2):
            pass

    def round(self, n: int) -> float:
        count = lines = 0
        started = time.perf_counter()
        writer = _flood_in_background(self.sim, n)
        for event in self.client.events(timeout=WAIT):
            if event.kind == DTMF:
                lines += event.line
                count += 1
                if count == n:
                    break
        if count != n:
            raise RuntimeError(f"pull: {count} of {n} events")
        rate = n / (time.perf_counter() - started)
        writer.join()
        return rate


def ours_latency(sim: Simulator, samples: int) -> Tuple[float, float]:
    """Simulator write -> Python callback, in microseconds (p50, p99)."""
    arrived = threading.Event()
    got: List[int] = []

    def on_event(event: Event) -> None:
        if event.kind == EventKind.UNKNOWN:
            now = time.monotonic_ns()
            sent = event.header("T")
            if sent is not None:
                got.append(now - int(sent))
                arrived.set()

    with Client(on_event) as client:
        client.connect("127.0.0.1", sim.port)
        client.login("203")
        for _ in range(samples):
            arrived.clear()
            sim.send_raw(b"Event: Probe\r\nT: %d\r\n\r\n" % time.monotonic_ns())
            if not arrived.wait(WAIT):
                raise RuntimeError("latency probe lost")
            time.sleep(0.0002)  # the reader back in its read
    return _percentiles(got)


def _percentiles(values_ns: List[int]) -> Tuple[float, float]:
    values = sorted(values_ns)
    return values[len(values) // 2] / 1000.0, values[int(len(values) * 0.99)] / 1000.0


def capture_flood(n: int) -> bytes:
    """The bytes of a flood of n events as the simulator writes them to a
    logged-in connection (read over a plain socket)."""
    with Simulator(greeting=None) as sim, socket.create_connection(("127.0.0.1", sim.port)) as conn:
        conn.sendall(b"Action: DGPhoneCommand\r\nCommand: Login\r\nUser: 299\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        data = data.split(b"\r\n\r\n", 1)[1]
        writer = _flood_in_background(sim, n)
        last = b"Seq: %d\r\n\r\n" % n
        while not data.endswith(last):
            chunk = conn.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the simulator closed during the capture")
            data += chunk
        writer.join()
    packets = data.count(b"\r\n\r\n")
    if packets != n:
        raise RuntimeError(f"captured {packets} packets, not {n}")
    return data


def panoramisk_round(data: bytes, n: int) -> float:
    """Events/s of panoramisk parsing and dispatching ``data`` from a
    loopback socket to a callback, on an asyncio loop."""
    from panoramisk.ami_protocol import AMIProtocol
    from panoramisk.manager import Manager

    if True:
        server = socket.create_server(("127.0.0.1", 0))
        port = server.getsockname()[1]

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                conn.sendall(data)
                conn.recv(1)  # until the client closes

        feeder = threading.Thread(target=serve, daemon=True)
        feeder.start()

        async def run() -> float:
            loop = asyncio.get_running_loop()
            manager = Manager(loop=loop)
            finished: "asyncio.Future[float]" = loop.create_future()
            state = {"count": 0, "lines": 0}

            def on_event(_manager: Any, message: Any) -> None:
                if message.status == "DTMFReceived":
                    state["lines"] += int(message.line)
                    state["count"] += 1
                    if state["count"] == n:
                        finished.set_result(time.perf_counter())

            manager.register_event("DGPhoneEvent", on_event)

            class Protocol(AMIProtocol):  # type: ignore[misc]
                def connection_made(self, transport: Any) -> None:
                    super().connection_made(transport)
                    self.factory = manager

            started = time.perf_counter()
            transport, _ = await loop.create_connection(Protocol, "127.0.0.1", port)
            ended = await asyncio.wait_for(finished, WAIT)
            transport.close()
            return n / (ended - started)

        rate = asyncio.run(run())
        feeder.join(WAIT)
        server.close()
    return rate


def c_baseline(exe: str, n: int, rounds: int, samples: int) -> Tuple[List[float], Tuple[float, float]]:
    out = subprocess.run([exe, str(n), str(rounds), str(samples)], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"flood_baseline failed: {out.stderr}")
    rates: List[float] = []
    latency = (0.0, 0.0)
    for line in out.stdout.splitlines():
        words = line.split()
        if words[:2] == ["c", "rate"]:
            rates.append(float(words[3]))
        elif words[:2] == ["c", "latency_us"]:
            latency = (float(words[2]), float(words[3]))
    return rates, latency


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--c-flood", required=True, help="the compiled benches/c/flood_baseline.c")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and samples (CI)")
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    n = args.events
    rounds, samples = (5, 500) if args.quick else (11, 3000)
    started = time.monotonic()

    print(f"python-bench: flood of {n} events, {rounds} rounds; latency over {samples} probes", file=sys.stderr)
    data = capture_flood(n)
    c_rates: List[float] = []
    cb_rates: List[float] = []
    pull_rates: List[float] = []
    pan_rates: List[float] = []
    acc_rates: List[float] = []
    # Round by round, every contender once per round: on a shared machine
    # the load drifts, so ratios are taken within each round.
    with Simulator() as sim_cb, Simulator() as sim_pull, Simulator() as sim_acc:
        callback, pull_bench, accessors = CallbackBench(sim_cb), PullBench(sim_pull), AccessorBench(sim_acc)
        for _ in range(rounds):
            c_rates.extend(c_baseline(args.c_flood, n, 1, 0)[0])
            cb_rates.append(callback.round(n))
            pull_rates.append(pull_bench.round(n))
            pan_rates.append(panoramisk_round(data, n))
            acc_rates.append(accessors.round(n))
        callback.client.close()
        pull_bench.client.close()
        accessors.close()
    _, c_latency = c_baseline(args.c_flood, n, 0, samples)
    with Simulator() as sim:
        py_latency = ours_latency(sim, samples)

    c_rate, cb, pull, pan, acc = (
        statistics.median(r) for r in (c_rates, cb_rates, pull_rates, pan_rates, acc_rates)
    )
    cb_ratio = statistics.median(a / b for a, b in zip(cb_rates, pan_rates))
    pull_ratio = statistics.median(a / b for a, b in zip(pull_rates, pan_rates))
    import panoramisk  # noqa: F401 - for its version
    from importlib.metadata import version

    pull_path = "dgp_next_records" if dgphone._native.HAS_NEXT_RECORDS else "dgp_next_events + dgp_event_copy"
    lines = [
        f"python-bench ({'quick' if args.quick else 'full'}): flood of {n} DGPhone events "
        f"({len(data) // n} bytes each), median of {rounds} rounds; dgphone {dgphone.version()}, "
        f"panoramisk {version('panoramisk')}, Python {sys.version.split()[0]}",
        f"  {'C callback (flood_baseline.c)':<42} {c_rate:>10,.0f} events/s",
        f"  {'dgphone callback, typed Event':<42} {cb:>10,.0f} events/s  {cb / c_rate:6.1%} of C",
        f"  {'dgphone events() pull (' + pull_path + ')':<42} {pull:>10,.0f} events/s  {pull / c_rate:6.1%} of C",
        f"  {'panoramisk over a socket, asyncio':<42} {pan:>10,.0f} events/s",
        f"  {'(one ctypes accessor call per field)':<42} {acc:>10,.0f} events/s",
        f"  ratio dgphone / panoramisk, median of the rounds' ratios: callback {cb_ratio:.2f}x, "
        f"pull {pull_ratio:.2f}x (goal >= 2x)",
        f"  latency write -> callback: C p50 {c_latency[0]:.1f} us p99 {c_latency[1]:.1f} us; "
        f"Python p50 {py_latency[0]:.1f} us p99 {py_latency[1]:.1f} us",
        f"  (took {time.monotonic() - started:.1f} s)",
    ]
    text = "\n".join(lines)
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
