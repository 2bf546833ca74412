"""The wheel: ``python -m build`` makes a py3-none-<platform> wheel that
holds both native libraries under their own names, and a fresh venv
that installs it runs a call with no environment variable set.

This does one release cargo build of the two libraries (setuptools-rust);
cargo reuses it on later runs."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import REPO

CALL = """
import dgphone, dgphone._native as native
from dgphone import Client, EventKind
from dgphone.sim import Simulator
assert "site-packages" in native.lib._name, native.lib._name
with Simulator() as sim, Client() as client:
    client.connect("127.0.0.1", sim.port)
    client.login("201")
    sim.ring(1, "5551234")
    client.answer_call(ring_wait=10)
    client.end_call()
    kinds = [e.kind for e in client.events(timeout=0.5)]
    assert EventKind.ANSWER in kinds and EventKind.HANGUP in kinds, kinds
print("call ok", native.lib._name)
"""


def test_wheel_builds_installs_and_runs_a_call(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DGPHONE_")}
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO / "bindings" / "python")],
        env=env, capture_output=True, text=True, timeout=1800,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    (wheel,) = out.glob("*.whl")
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert wheel.name == f"dgphone-0.1.0-py3-none-{platform}.whl", wheel.name
    names = set(zipfile.ZipFile(wheel).namelist())
    native = {n for n in names if n.startswith("dgphone/") and not n.endswith((".py", ".typed"))}
    assert native == {"dgphone/libdgphone.so", "dgphone/libdgphone_sim.so"}, native
    assert "dgphone/py.typed" in names
    assert any(n.endswith("entry_points.txt") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "-q", str(wheel)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    ran = subprocess.run([str(python), "-c", CALL], env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "call ok" in ran.stdout and str(venv) in ran.stdout
