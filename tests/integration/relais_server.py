"""Starting, stopping and killing a real `relais serve` process for the integration suite."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


def relais_binary() -> Path:
    """The binary under test: $RELAIS_BIN, else build/relais. Missing is an error, never a skip."""
    path = Path(os.environ.get("RELAIS_BIN", REPO_ROOT / "build" / "relais"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise RuntimeError(f"relais binary not found or not executable: {path} (set RELAIS_BIN)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(relais_binary()), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"relais {' '.join(args)} exited {proc.returncode}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return proc


class RelaisServer:
    """One `relais serve` process on 127.0.0.1:<free port> with a given database (see
    databases.py: an SQLite file or a PostgreSQL database, by RELAIS_TEST_ENGINE)."""

    def __init__(self, database, log_path: Path, extra_args=()):
        self.database = database
        self.extra_args = list(extra_args)  # more `relais serve` options
        self.db_url = database.url
        self.log_path = Path(log_path)
        self.port = 0
        self.proc = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(relais_binary()), "serve", "--db", self.db_url,
             "--listen", f"127.0.0.1:{self.port}", *self.extra_args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.log_path.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"relais serve exited with {self.proc.returncode} before becoming ready; "
                    f"log:\n{self.log_text()}"
                )
            try:
                if requests.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"relais serve not ready after {timeout}s; log:\n{self.log_text()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> int:
        """Graceful stop (SIGTERM); kills if it does not exit in time. Returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self._finish()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self._finish()

    def kill(self) -> None:
        """kill -9: no chance to flush or checkpoint anything."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._finish()

    def _finish(self) -> int:
        code = self.proc.returncode if self.proc is not None else 0
        if self._log is not None:
            self._log.close()
            self._log = None
        return code


def add_user(db_url: str, email: str, role: str, password: str) -> None:
    run_cli("user", "add", "--email", email, "--role", role, "--password-stdin", "--db", db_url,
            stdin=password + "\n")
