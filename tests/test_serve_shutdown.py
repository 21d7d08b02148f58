"""`eventwire serve` as a real process: SIGTERM shuts it down cleanly and leaves the store consistent.

The server runs as a subprocess on a free loopback port over a small hand-built store. After SIGTERM it
must exit (status 0) within a few seconds, even with a keep-alive connection open, and the store must
open again with every row in place and no write-ahead log left behind.
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")

from eventwire.store import EventStore  # noqa: E402

from test_serve_hardening import build_store  # noqa: E402  (the same small store, no spaCy)

pytestmark = pytest.mark.slow
EXIT_WITHIN = 10.0  # seconds; uvicorn's graceful shutdown is given 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _start(db: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    eventwire = Path(sys.executable).with_name("eventwire")
    command = [str(eventwire), "serve", "--db", str(db), "--port", str(port), *extra]
    env = {k: v for k, v in os.environ.items() if k != "EVENTWIRE_API_KEY"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"eventwire serve exited early: {proc.stderr.read().decode()[-2000:]}")
        try:
            if _get(port, "/api/health")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("eventwire serve did not answer /api/health within 60 s")


@pytest.fixture
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shutdown") / "store.duckdb"
    build_store(path)
    return path


def _counts(path: Path) -> dict:
    with EventStore(path, read_only=True) as s:
        return s.counts()


def test_sigterm_stops_the_server_cleanly(store):
    if not Path(sys.executable).with_name("eventwire").exists():
        pytest.skip("the eventwire command is not installed next to this Python")
    before = _counts(store)
    proc, port = _start(store)
    try:
        keep_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        assert _get(port, "/api/events?limit=2", keep_alive)[0] == 200  # an idle keep-alive connection stays open
        assert _get(port, "/panel")[0] == 200
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = proc.wait(timeout=EXIT_WITHIN)
        assert time.monotonic() - started < EXIT_WITHIN
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, proc.stderr.read().decode()[-2000:]
    assert "Traceback" not in proc.stderr.read().decode()
    assert not Path(str(store) + ".wal").exists()  # checkpointed into the file on close
    assert _counts(store) == before
    with pytest.raises(OSError):
        _get(port, "/api/health")  # nothing listens any more


def test_a_store_in_use_is_a_one_line_error(store):
    if not Path(sys.executable).with_name("eventwire").exists():
        pytest.skip("the eventwire command is not installed next to this Python")
    first, _ = _start(store)
    try:
        second = subprocess.run([str(Path(sys.executable).with_name("eventwire")), "serve", "--db", str(store),
                                 "--port", str(_free_port())], capture_output=True, text=True, timeout=60)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=EXIT_WITHIN)
    assert second.returncode == 1
    assert "in use" in second.stderr and "Traceback" not in second.stderr
    shutil.rmtree(store.parent, ignore_errors=True)
