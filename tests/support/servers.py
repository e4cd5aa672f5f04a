"""Background servers for tests: a real S3 server (moto) and a static HTTP server.

Used as a library by the pytest fixtures (tests/integration/conftest.py) and as
a command by molecule scenarios::

    python tests/support/servers.py start s3 --host 172.17.0.1 --state-file /tmp/s3.json
    python tests/support/servers.py start http --root DIR --host 172.17.0.1 --state-file /tmp/http.json
    python tests/support/servers.py start ffdl-restapi --host 172.17.0.1 --state-file /tmp/ffdl.json
    python tests/support/servers.py stop --state-file /tmp/s3.json
    python tests/support/servers.py learner     # build the stand-in learner's virtualenv (cached)

``start`` prints the state (JSON with ``pid`` and ``url``) once the server
answers; ``stop`` ends the process group it started, by PID.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Server:
    pid: int
    host: str
    port: int
    log: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def state(self) -> dict:
        return {**asdict(self), "url": self.url}


def port_open(host: str, port: int, timeout: float = 2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _moto_command() -> list[str]:
    binary = Path(sys.executable).with_name("moto_server")
    return [str(binary)] if binary.exists() else [sys.executable, "-m", "moto.server"]


def _start(kind: str, argv: list[str], host: str, port: int, probe: str, timeout: float) -> Server:
    log = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"{kind}-{host}-{port}.log")
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    server = Server(pid=proc.pid, host=host, port=port, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(server.url + probe, timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server.pid)
    raise RuntimeError(f"{kind} server did not answer on {server.url} within {timeout} s; see {log}")


def start(host: str = "127.0.0.1", port: int = 0, timeout: float = 30) -> Server:
    """Start moto's S3 server on host:port (0 picks a free port) and wait until it answers."""
    port = port or free_port(host)
    return _start("moto", [*_moto_command(), "-H", host, "-p", str(port)], host, port, "/moto-api/", timeout)


def start_http(root: str, host: str = "127.0.0.1", port: int = 0, timeout: float = 30) -> Server:
    """Serve the files under ``root`` over plain HTTP (a release mirror for the roles' downloads)."""
    port = port or free_port(host)
    argv = [sys.executable, "-m", "http.server", "--bind", host, "--directory", root, str(port)]
    return _start("http", argv, host, port, "/", timeout)


REPO = Path(__file__).resolve().parents[2]
RESTAPI = REPO / "tests/doubles/ffdl_restapi"


def learner_bin(cache: Path | None = None) -> Path:
    """The bin directory of the stand-in learner's virtualenv (tensorflow-cpu), built once per requirements."""
    requirements = RESTAPI / "learner-requirements.txt"
    cache = cache or Path(os.environ.get("FFDL_TEST_CACHE", REPO / ".cache"))
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    venv = cache / f"learner-{digest}"
    if (venv / ".complete").exists():
        return venv / "bin"
    building = cache / f"learner-{digest}.building"
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
    subprocess.run(
        [str(building / "bin/python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
    )
    # venvs hold absolute paths: build under the final name's sibling, then rename and fix them
    shutil.rmtree(venv, ignore_errors=True)
    building.rename(venv)
    for script in (venv / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            text = script.read_bytes()
            if str(building).encode() in text:
                script.write_bytes(text.replace(str(building).encode(), str(venv).encode()))
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace(str(building), str(venv)))
    (venv / ".complete").write_text(requirements.read_text())
    return venv / "bin"


def start_ffdl_restapi(
    workdir: str,
    learner: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 30,
    phase_seconds: float = 0.0,
) -> Server:
    """Start the FfDL REST API stand-in (tests/doubles/ffdl_restapi) running jobs with the learner virtualenv."""
    port = port or free_port(host)
    argv = [
        sys.executable,
        str(RESTAPI / "server.py"),
        "--host",
        host,
        "--port",
        str(port),
        "--workdir",
        workdir,
        "--learner-bin",
        str(learner or learner_bin()),
        "--phase-seconds",
        str(phase_seconds),
    ]
    return _start("ffdl-restapi", argv, host, port, "/health", timeout)


def stop(pid: int, timeout: float = 10) -> None:
    """Stop the server process group started by start()."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # reap it when it is our child, so it does not linger as a zombie
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def s3_client(server: Server, access_key: str = "test", secret_key: str = "test"):  # noqa: S107 (moto ignores them)
    """A boto3 S3 client for the server (path-style, us-east-1, as FfDL's localstack is used)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


def make_bucket(server: Server, name: str, objects: dict[str, bytes] | None = None) -> None:
    """Create a bucket, with optional objects, on the server."""
    s3 = s3_client(server)
    s3.create_bucket(Bucket=name)
    for key, body in (objects or {}).items():
        s3.put_object(Bucket=name, Key=key, Body=body)


def list_keys(server: Server, bucket: str) -> list[str]:
    response = s3_client(server).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in response.get("Contents", []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start or stop a test server.")
    parser.add_argument("command", choices=("start", "stop", "learner"))
    parser.add_argument("kind", nargs="?", choices=("s3", "http", "ffdl-restapi"), default="s3")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--root", help="directory the http server serves")
    parser.add_argument("--workdir", help="where the ffdl-restapi stand-in runs jobs")
    parser.add_argument("--state-file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "learner":
        print(learner_bin())
        return 0
    if args.state_file is None:
        parser.error(f"{args.command} needs --state-file")
    if args.command == "start":
        if args.kind == "ffdl-restapi":
            server = start_ffdl_restapi(args.workdir or str(args.state_file.with_suffix(".jobs")), host=args.host)
        elif args.kind == "http":
            if not args.root:
                parser.error("start http needs --root")
            server = start_http(args.root, args.host, args.port)
        else:
            server = start(args.host, args.port)
        args.state_file.write_text(json.dumps(server.state()))
        print(json.dumps(server.state()))
        return 0
    if args.state_file.exists():
        state = json.loads(args.state_file.read_text())
        # a state file an interrupted run left: its server may be gone and its PID reused
        if port_open(state["host"], state["port"]):
            stop(state["pid"])
        args.state_file.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())


def job_manifest(name: str, auth_url: str, data: str, results: str, password: str = "test", **top) -> dict:  # noqa: S107 (moto takes any)
    """A small FfDL manifest with an s3_datastore, for jobs the tests submit with a script as their model."""
    manifest = {
        "name": name,
        "cpus": 0.5,
        "memory": "256MiB",
        "framework": {"name": "tensorflow", "version": "1.5.0-py3", "command": "python3 train.py"},
        "data_stores": [
            {
                "id": "s",
                "type": "s3_datastore",
                "training_data": {"container": data},
                "training_results": {"container": results},
                "connection": {"auth_url": auth_url, "user_name": "test", "password": password},
            }
        ],
    }
    manifest.update(top)
    return manifest
