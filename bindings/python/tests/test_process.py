"""Tests that need a process of their own: Ctrl-C during a wait, the
library lookup, the README's example."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from conftest import REPO, WAIT

from dgphone import EventKind
from dgphone.sim import LoginPolicy, Simulator

# The child takes Ctrl-C as an interactive Python does, even when this run
# was started with SIGINT ignored (a background job of a script inherits
# that, and Python then leaves it ignored).
CHILD_PRELUDE = """
import signal, sys, time, dgphone
signal.signal(signal.SIGINT, signal.default_int_handler)
client = dgphone.Client(command_timeout=60.0)
client.connect("127.0.0.1", int(sys.argv[1]))
"""


def _interrupt(script: str, port: int) -> tuple[int, str, float]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD_PRELUDE) + textwrap.dedent(script), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()  # the child says when it is about to wait
    assert line.strip() == "waiting", (line, child.stderr.read() if child.stderr else "")
    time.sleep(0.3)  # let it enter the wait (an earlier signal would be caught just the same)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        child.kill()
        raise AssertionError("the child did not stop on SIGINT")
    return child.returncode, err, time.monotonic() - sent


def test_ctrl_c_during_a_blocking_login() -> None:
    with Simulator(login=LoginPolicy.IGNORE) as sim:
        code, err, took = _interrupt(
            """
            print("waiting", flush=True)
            try:
                client.login("201")     # never answered: waits up to 60 s
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                client.close()
                raise
            """,
            sim.port,
        )
    assert code != 0 and "KeyboardInterrupt" in err and "interrupted" in err, err
    assert took < 3.0


def test_ctrl_c_during_a_connect_to_a_dgphone_that_does_not_answer() -> None:
    # A listener with room for one waiting connection, and that room taken:
    # the kernel drops the connect's SYN, which waits for its 60 s timeout.
    import socket

    with socket.socket() as hole, socket.socket() as filler, Simulator() as sim:
        hole.bind(("127.0.0.1", 0))
        hole.listen(0)
        filler.connect(hole.getsockname())
        code, err, took = _interrupt(
            f"""
            hung = dgphone.Client(connect_timeout=60.0)
            print("waiting", flush=True)
            try:
                hung.connect("127.0.0.1", {hole.getsockname()[1]})
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                hung.close()
                raise
            """,
            sim.port,
        )
    assert code != 0 and "KeyboardInterrupt" in err and "interrupted" in err, err
    assert took < 3.0


def test_after_ctrl_c_close_waits_for_the_call_still_starting() -> None:
    # The helper thread is slow to start (a loaded machine): Ctrl-C lands
    # while it is entering dgp_login, and it is still inside when the
    # program goes on to close(). The client must not be freed under it
    # (that was a segfault: CPython's join() after KeyboardInterrupt had
    # taken the running helper for stopped).
    script = CHILD_PRELUDE + textwrap.dedent(
        """
        import os, threading
        from dgphone._native import lib
        real_login, real_cancel, real_free = lib.dgp_login, lib.dgp_cancel, lib.dgp_client_free
        cancelled = threading.Event()
        inside = []

        def login(handle, user):
            inside.append(1)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            cancelled.wait()        # begins its wait only after the first cancel
            try:
                return real_login(handle, user)
            finally:
                inside.pop()

        def cancel(handle):
            cancelled.set()
            return real_cancel(handle)

        def free(handle):
            if inside:
                print("freed during a call", flush=True)
                os._exit(3)
            return real_free(handle)

        lib.dgp_login, lib.dgp_cancel, lib.dgp_client_free = login, cancel, free
        try:
            client.login("201")     # never answered: would wait 60 s
        except KeyboardInterrupt:
            client.close()
            print("closed", flush=True)
        """
    )
    with Simulator(login=LoginPolicy.IGNORE) as sim:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", script, str(sim.port)], capture_output=True, text=True, timeout=WAIT
        )
    assert (done.returncode, done.stdout) == (0, "closed\n"), (done.returncode, done.stdout, done.stderr)
    assert time.monotonic() - started < 10.0  # the cancel reached the late login


def test_ctrl_c_during_the_event_iterator() -> None:
    with Simulator() as sim:
        code, err, took = _interrupt(
            """
            client.login("201")
            print("waiting", flush=True)
            for event in client.events():   # no timeout: waits for ever
                pass
            """,
            sim.port,
        )
    assert code != 0 and "KeyboardInterrupt" in err, err
    assert took < 3.0


def test_ctrl_c_during_a_confirmation_wait() -> None:
    with Simulator() as sim:
        code, err, took = _interrupt(
            """
            client.login("201")
            print("waiting", flush=True)
            client.answer_call(ring_wait=60.0, timeout=60.0)   # nothing rings: waits 60 s
            """,
            sim.port,
        )
    assert code != 0 and "KeyboardInterrupt" in err, err
    assert took < 3.0


def test_library_lookup_order_and_a_clear_error(tmp_path: "os.PathLike[str]") -> None:
    env = dict(os.environ)
    env["DGPHONE_LIBRARY"] = os.path.join(str(tmp_path), "libmissing.so")
    env.pop("DGPHONE_LIB_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", "import dgphone._native as n; print(n.lib._name)"],
        env=env, capture_output=True, text=True, timeout=WAIT,
    )
    assert "libmissing.so: no such file" in done.stderr or done.returncode == 0
    if done.returncode == 0:  # found further down the list (the package's own file, or the system's)
        assert "libmissing" not in done.stdout
    else:
        assert "DGPHONE_LIB_DIR" in done.stderr and "LibraryNotFound" in done.stderr
    # The variable naming the file wins over the folder.
    lib_dir = os.environ.get("DGPHONE_LIB_DIR")
    if lib_dir:
        env["DGPHONE_LIBRARY"] = os.path.join(lib_dir, "libdgphone.so")
        env["DGPHONE_LIB_DIR"] = str(tmp_path)
        done = subprocess.run(
            [sys.executable, "-c", "import dgphone._native as n; print(n.lib._name)"],
            env=env, capture_output=True, text=True, timeout=WAIT,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == env["DGPHONE_LIBRARY"]


def test_the_readme_example_runs() -> None:
    example = REPO / "examples" / "python" / "call_flow.py"
    done = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=60)
    # Every flow confirms or raises: exit 0 is the call flow done. What the
    # callback printed is what it was handed before close() (which drops
    # events not yet delivered): typed kinds and lines.
    assert done.returncode == 0 and done.stderr == "", done.stderr
    kinds = {k.name for k in EventKind}
    for line in done.stdout.splitlines():
        kind, number = line.split()
        assert kind in kinds and 0 <= int(number) <= 6, line
    readme = (REPO / "bindings" / "python" / "README.md").read_text()
    sample = example.read_text().split('"""', 2)[2].strip("\n")
    assert f"```python\n{sample}\n```" in readme  # the READMEs show this very file
    assert f"<!-- python-sample -->\n```python\n{sample}\n```" in (REPO / "README.md").read_text()
