"""Debian's nginx in front of several `relais serve` processes, for the multi-server tests.

The proxy configuration is the one docs/deploy.md tells operators to use (its ```nginx block),
with the servers' real loopback ports in `upstream` and a free loopback port to listen on.
nginx runs in the foreground as the current user, with its pid file, logs and temporary
directories in the test's own directory: nothing of the system's nginx is used or touched."""

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from relais_server import REPO_ROOT, free_port

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"


def nginx_binary() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(path, os.X_OK):
        raise RuntimeError("nginx not found: apt-get install nginx (scripts/bootstrap does)")
    return path


def documented_site_config(upstreams, listen_port: int) -> str:
    """docs/deploy.md's nginx site, pointed at `upstreams` ("127.0.0.1:port") and listening on
    127.0.0.1:listen_port."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(), re.S)
    assert len(blocks) == 1, "docs/deploy.md must hold exactly one ```nginx block"
    site = blocks[0]
    servers = re.findall(r"^ *server 127\.0\.0\.1:\d+( [^;]*)?;$", site, re.M)
    assert servers, "the documented upstream lists no server"
    options = servers[0] or ""
    lines = "\n".join(f"    server {address}{options};" for address in upstreams)
    site, n = re.subn(r"(?:^ *server 127\.0\.0\.1:\d+[^;]*;\n)+", lines + "\n", site, flags=re.M)
    assert n == 1, "the documented upstream servers are not one block"
    site, n = re.subn(r"^( *)listen 80;$", rf"\1listen 127.0.0.1:{listen_port};", site,
                      flags=re.M)
    assert n == 1, "the documented server block does not `listen 80;`"
    return site


class NginxProxy:
    def __init__(self, directory: Path, upstreams):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = None
        site = documented_site_config(upstreams, self.port)
        # As root, nginx would switch its workers to `nobody`, who cannot write here.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
        temp = "\n".join(f"    {kind}_temp_path {self.dir}/{kind}_temp;"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.dir / "nginx.conf").write_text(f"""{user}
daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log {self.dir}/access.log;
{temp}
{site}
}}
""")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        command = [nginx_binary(), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"),
                   "-e", str(self.dir / "error.log")]
        check = subprocess.run(command + ["-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t: {check.stderr}"
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited {self.proc.returncode}: {self.error_log()}")
            try:
                if requests.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx not ready after {timeout}s: {self.error_log()}")

    def error_log(self) -> str:
        try:
            return (self.dir / "error.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def access_log(self) -> str:
        try:
            return (self.dir / "access.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGQUIT: nginx's graceful shutdown; killed if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
