"""A pytest plugin (registered through the ``pytest11`` entry point):
the ``dgphone_sim`` fixture, a simulator on a free port for each test."""

from __future__ import annotations

from typing import Iterator

import pytest

from .sim import Simulator


@pytest.fixture
def dgphone_sim() -> Iterator[Simulator]:
    """A started :class:`dgphone.sim.Simulator` with the default settings
    (127.0.0.1, a free port), stopped after the test."""
    with Simulator() as sim:
        yield sim
