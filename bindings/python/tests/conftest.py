"""Shared fixtures: a simulator (the package's own pytest plugin gives
``dgphone_sim``) and clients logged in to it. Every wait is generous
(WAIT seconds): it only takes that long when something is broken."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import pytest

import dgphone
from dgphone import Client, Event, EventKind
from dgphone.sim import Simulator

WAIT = 10.0
REPO = Path(__file__).resolve().parents[3]


class Recorder:
    """An event callback that keeps what it got and lets a test wait for it."""

    def __init__(self) -> None:
        self.events: List[Event] = []
        self.threads: set[int] = set()
        self._cond = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self._cond:
            self.events.append(event)
            self.threads.add(threading.get_ident())
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = WAIT) -> Event:
        with self._cond:
            seen = 0
            found: Optional[Event] = None

            def check() -> bool:
                nonlocal seen, found
                for event in self.events[seen:]:
                    if predicate(event):
                        found = event
                        return True
                seen = len(self.events)
                return False

            if not self._cond.wait_for(check, timeout):
                kinds = [e.kind.name for e in self.events]
                raise AssertionError(f"no such event within {timeout} s; got {kinds}")
            assert found is not None
            return found

    def wait_kind(self, kind: EventKind, timeout: float = WAIT) -> Event:
        return self.wait_for(lambda e: e.kind == kind, timeout)

    def count(self, kind: EventKind) -> int:
        with self._cond:
            return sum(1 for e in self.events if e.kind == kind)


def next_of(client: Client, kind: EventKind, timeout: float = WAIT) -> Event:
    """Pulls events until one of ``kind`` (fails after ``timeout``)."""
    seen = []
    for event in client.events(timeout=timeout):
        if event.kind == kind:
            return event
        seen.append(event.kind.name)
    raise AssertionError(f"no {kind.name} within {timeout} s; got {seen}")


@pytest.fixture(params=["dgp_next_records", "dgp_next_events"])
def pull_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a pull test through each way of taking a batch: one packed
    buffer per batch (dgp_next_records), and the older dgp_next_events
    with one dgp_event_copy per event (a library without the former)."""
    path = str(request.param)
    monkeypatch.setattr(dgphone._native, "HAS_NEXT_RECORDS", path == "dgp_next_records")
    return path


@pytest.fixture
def sim(dgphone_sim: Simulator) -> Simulator:
    return dgphone_sim


@pytest.fixture
def client(sim: Simulator) -> Iterator[Client]:
    """A client logged in as 201, events on the pull queue."""
    with Client() as c:
        c.connect("127.0.0.1", sim.port)
        c.login("201")
        yield c


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def cb_client(sim: Simulator, recorder: Recorder) -> Iterator[Client]:
    """A client logged in as 201 whose events go to ``recorder``."""
    with Client(recorder) as c:
        c.connect("127.0.0.1", sim.port)
        c.login("201")
        yield c


__all__ = ["WAIT", "REPO", "Recorder", "next_of", "dgphone"]
