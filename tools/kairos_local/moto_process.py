"""Starts and stops the local store (moto_server.py) as a child process of `kairos-local` or the CLI."""

import socket
import subprocess
import sys
import time
from pathlib import Path

STORE_REFUSED = 2  # the store's exit code when it refuses to start on its data folder (it says why)
# How often the local path's HTTP servers (the API's, the store's) look whether they are asked to stop:
# socketserver's default, 0.5 s, was waited for at every stop.
STOP_POLL_SECONDS = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoProcess:
    """The store on a free loopback port, loading `data_dir`; `stop()` lets it write its final snapshot."""

    def __init__(self, data_dir: Path, port: int = 0, sweep_seconds: float | None = None) -> None:
        self.port = port or free_port()
        command = [
            sys.executable,
            "-m",
            "kairos_local.moto_server",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            "--stop-with-stdin",
        ]
        if sweep_seconds is not None:
            command += ["--sweep-seconds", str(sweep_seconds)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self._wait_until_listening()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_listening(self) -> None:
        """Loading a large store takes a while: wait as long as the process lives and is still loading."""
        while True:
            if self._process.poll() is not None:
                if self._process.returncode == STORE_REFUSED:
                    raise SystemExit(STORE_REFUSED)  # it said why, in one line
                raise SystemExit(
                    f"The local store did not start (exit code {self._process.returncode}; see above)."
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)

    def stop(self, timeout: float = 120.0) -> int:
        """Closes its standard input (it then saves and exits); its exit code."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()
