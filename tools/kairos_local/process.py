"""Runs `kairos-local` as a child process (for tests and benches): start, wait until it answers, stop with
Ctrl-C (SIGINT) as a person would."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data_dir: Path,
    port: int,
    token: str,
    extra_env: dict[str, str] | None = None,
    *,
    new_session: bool = False,
) -> subprocess.Popen[str]:
    """`new_session`: the server leads a process group of its own (with its store), for tests that signal
    the whole group as a terminal would."""
    env = {**os.environ, "KAIROS_LOCAL_TOKEN": token, **(extra_env or {})}
    command = [sys.executable, "-m", "kairos_local", "--port", str(port), "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=new_session,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local server exited: {process.stdout.read() if process.stdout else ''}")
        try:
            headers = {"Authorization": f"Bearer {token}"}
            if requests.get(f"http://127.0.0.1:{port}/v1/project", headers=headers, timeout=10).ok:
                return process
        except requests.RequestException:  # not listening yet, or busy starting up
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("local server did not start within 120 s")


def stop_server(process: subprocess.Popen[str]) -> str:
    """Ctrl-C, then the server's output."""
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output
