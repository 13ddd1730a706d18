"""Start a MigAssist server process for a benchmark and read its memory use."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
GRACE_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 300.0) -> None:
    """Poll ``url`` until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of ``pid`` in MiB (Linux ``/proc``)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the live processes of process group ``group``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def start_migassist(port: int, data_dir: Path, env: Mapping[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    """``migassist serve`` on loopback with the NLU model cached across benchmark runs."""
    CACHE.mkdir(exist_ok=True)
    environ = {
        **os.environ,
        "MIGASSIST_DATA_DIR": str(data_dir),
        "MIGASSIST_NLU__MODEL_PATH": str(CACHE / "nlu-model.pkl"),
        # Simulated users type far faster than people; the limiter still runs, but never refuses.
        "MIGASSIST_RATE_LIMITS__USER_MESSAGES": "1000000000",
        "MIGASSIST_RATE_LIMITS__IP_REQUESTS": "1000000000",
        **env,
    }
    command = [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    # Its own process group, so stop() also reaches the workers that `serve --workers N` spawns.
    process = subprocess.Popen(command, env=environ, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server and every process in its group (worker processes included)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    # `serve --workers N`: the parent dies at once on SIGTERM while its workers shut down
    # gracefully; give them a moment, then make sure none outlives the benchmark.
    time.sleep(GRACE_SECONDS)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
