"""Start and stop a real Kubernetes control plane for the tests.

etcd, kube-apiserver (RBAC on), kube-controller-manager, kube-scheduler and
kwok (one fake node that runs pods as far as the API can tell) from the
binaries tests/cluster/build.sh caches. Two Kubernetes lines: the current one
(default) and 1.11, OpenShift 3.11's (``--kubernetes 1.11`` or
``FFDL_TEST_KUBERNETES=1.11``). Everything binds to 127.0.0.1 on free ports
(the API server on ``--extra-address`` instead, e.g. the Docker bridge, for
test containers); the
admin kubeconfig is written to ``<workdir>/admin.kubeconfig`` (and one for
the roles under test, ``roles.kubeconfig``, user ffdl-roles-admin), a token for the
unprivileged user ``developer`` (what Minishift logs you in as) to
``<workdir>/developer.token``, and the API server's audit log (every mutating
request, in order) to ``<workdir>/audit.log``.

As a script::

    python tests/cluster/launcher.py start --workdir /tmp/k8s   # prints the state as JSON
    python tests/cluster/launcher.py stop --workdir /tmp/k8s

As a library: ``Cluster(workdir).start()`` / ``.stop()`` (the pytest session
fixture in tests/integration/conftest.py does this, stopping it after failed
tests too).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:  # also run as a script
    sys.path.insert(0, str(REPO))

from tests.support import servers  # noqa: E402

DEFAULT_BIN = Path(os.environ.get("FFDL_TEST_CACHE", REPO / ".cache")) / "bin"
NODE_NAME = "kwok-node-0"
# The user the roles and modules under test authenticate as (roles.kubeconfig).
ROLES_USER = "ffdl-roles-admin"
# The lines tests/cluster/build.sh builds (versions.env): the current
# Kubernetes, and 1.11 (OpenShift 3.11), whose binaries live in bin/kubernetes-1.11.
KUBERNETES_LINES = ("current", "1.11")
DEFAULT_LINE = os.environ.get("FFDL_TEST_KUBERNETES", "current")


def audit_policy(line: str) -> str:
    """Writes (create/update/patch/delete) at Metadata level, PersistentVolume writes with their body."""
    version = "audit.k8s.io/v1beta1" if line == "1.11" else "audit.k8s.io/v1"
    return json.dumps(
        {
            "apiVersion": version,
            "kind": "Policy",
            "omitStages": ["RequestReceived"],
            "rules": [
                {"level": "None", "verbs": ["get", "list", "watch"]},
                {
                    "level": "None",
                    "resources": [{"group": "coordination.k8s.io"}, {"group": "", "resources": ["events"]}],
                },
                {
                    "level": "None",
                    "users": ["system:kube-scheduler", "system:kube-controller-manager"],
                    "resources": [{"group": "", "resources": ["endpoints", "configmaps"]}],
                },
                {"level": "Request", "resources": [{"group": "", "resources": ["persistentvolumes"]}]},
                {"level": "Metadata"},
            ],
        }
    )


def free_port() -> int:
    return servers.free_port("127.0.0.1")


# ------------------------------------------------------------------ certificates
def _key(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)
    return key


def _cert(path, subject, issuer, public_key, signing_key, *, ca=False, sans=(), usages=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def make_pki(pki: Path, extra_addresses: tuple[str, ...] = ()) -> None:
    """CA, apiserver serving cert, admin client cert (system:masters), service-account key."""
    pki.mkdir(parents=True, exist_ok=True)
    ca_key = _key(pki / "ca.key")
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ffdl-test-ca")])
    _cert(pki / "ca.crt", ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    server_key = _key(pki / "apiserver.key")
    sans = [
        x509.DNSName("localhost"),
        x509.DNSName("kubernetes"),
        x509.DNSName("kubernetes.default"),
        x509.DNSName("kubernetes.default.svc"),
        x509.DNSName("kubernetes.default.svc.cluster.local"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
        *[x509.IPAddress(ipaddress.ip_address(a)) for a in extra_addresses],
    ]
    _cert(
        pki / "apiserver.crt",
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]),
        ca_name,
        server_key.public_key(),
        ca_key,
        sans=sans,
        usages=[x509.oid.ExtendedKeyUsageOID.SERVER_AUTH],
    )
    # two cluster admins: the test harness, and the roles under test (a user of
    # their own, so the audit log tells their requests apart)
    for name, user in (("admin", "kubernetes-admin"), ("roles", ROLES_USER)):
        key = _key(pki / f"{name}.key")
        _cert(
            pki / f"{name}.crt",
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                    x509.NameAttribute(NameOID.COMMON_NAME, user),
                ]
            ),
            ca_name,
            key.public_key(),
            ca_key,
            usages=[x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH],
        )
    _key(pki / "sa.key")
    sa_key = serialization.load_pem_private_key((pki / "sa.key").read_bytes(), None)
    (pki / "sa.pub").write_bytes(
        sa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def write_kubeconfig(path: Path, server: str, pki: Path, context: str = "ffdl-test", cert: str = "admin") -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}],
        "users": [
            {
                "name": "admin",
                "user": {"client-certificate": str(pki / f"{cert}.crt"), "client-key": str(pki / f"{cert}.key")},
            }
        ],
        "contexts": [{"name": context, "context": {"cluster": context, "user": "admin", "namespace": "default"}}],
        "current-context": context,
    }
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)


# ------------------------------------------------------------------ the cluster
class Cluster:
    """A control plane of real binaries under ``workdir``; ``state.json`` records what runs."""

    COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")

    def __init__(
        self,
        workdir: Path | str,
        bin_dir: Path | str = DEFAULT_BIN,
        line: str = DEFAULT_LINE,
        extra_addresses: tuple[str, ...] = (),
    ):
        if line not in KUBERNETES_LINES:
            raise ValueError(f"Kubernetes line {line!r}: one of {', '.join(KUBERNETES_LINES)}")
        self.workdir = Path(workdir).resolve()
        self.bin_dir = Path(bin_dir)
        self.line = line
        self.extra_addresses = tuple(extra_addresses)
        self.pki = self.workdir / "pki"
        self.kubeconfig = self.workdir / "admin.kubeconfig"
        self.roles_kubeconfig = self.workdir / "roles.kubeconfig"
        self.developer_token_file = self.workdir / "developer.token"
        self.audit_log = self.workdir / "audit.log"
        self.state_file = self.workdir / "state.json"
        self.state: dict = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    # -- helpers
    def _bin(self, name: str) -> str:
        kube = name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
        path = (self.bin_dir / "kubernetes-1.11" / name) if kube and self.line == "1.11" else self.bin_dir / name
        if not os.access(path, os.X_OK):
            raise FileNotFoundError(f"{path} is missing: run tests/cluster/build.sh")
        return str(path)

    def _spawn(self, name: str, argv: list[str]) -> int:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (handed to the child)
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        self.state.setdefault("pids", {})[name] = proc.pid
        self._save()
        return proc.pid

    def _save(self) -> None:
        self.state_file.write_text(json.dumps(self.state, indent=2))

    def _alive(self, name: str) -> bool:
        pid = self.state.get("pids", {}).get(name)
        if not pid:
            return False
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # an exited child of a process that is gone stays a zombie when PID 1 does not reap
        stat = Path(f"/proc/{pid}/stat")
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def _wait(self, what: str, check, timeout: float, component: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if component and not self._alive(component):
                raise RuntimeError(f"{component} exited; last log lines:\n{self.log_tail(component)}")
            try:
                if check():
                    return
            except Exception as exc:
                last = exc
            time.sleep(0.25)
        raise TimeoutError(f"{what} not ready after {timeout} s (last error: {last})")

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def _https_get(self, url: str, client_cert: bool = True) -> tuple[int, str]:
        ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
        if client_cert:
            ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
        with urllib.request.urlopen(url, context=ctx, timeout=5) as resp:
            return resp.status, resp.read().decode()

    def kubectl(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self._bin("kubectl"), "--kubeconfig", str(self.kubeconfig), *args],
            check=check,
            capture_output=True,
            text=True,
            input=input,
        )

    @property
    def server(self) -> str:
        return f"https://{self.state.get('address', '127.0.0.1')}:{self.state['ports']['apiserver']}"

    # -- lifecycle
    def start(self, timeout: float = 60) -> Cluster:
        if self.state.get("pids") and all(self._alive(c) for c in self.COMPONENTS):
            return self
        self.stop()
        self.workdir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        make_pki(self.pki, self.extra_addresses)
        ports = {k: free_port() for k in ("etcd", "etcd_peer", "apiserver", "controller_manager", "scheduler", "kwok")}
        self.state = {
            "ports": ports,
            "pids": {},
            "kubeconfig": str(self.kubeconfig),
            "context": "ffdl-test",
            "line": self.line,
            "audit_log": str(self.audit_log),
            # the API server's address: loopback, or the first extra address
            # (e.g. the Docker bridge, for test containers)
            "address": self.extra_addresses[0] if self.extra_addresses else "127.0.0.1",
        }
        self._save()
        old = self.line == "1.11"

        etcd_url = f"http://127.0.0.1:{ports['etcd']}"
        self._spawn(
            "etcd",
            [
                self._bin("etcd"),
                "--name=ffdl-test",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{ports['etcd_peer']}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{ports['etcd_peer']}",
                f"--initial-cluster=ffdl-test=http://127.0.0.1:{ports['etcd_peer']}",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        self._wait("etcd", lambda: urllib.request.urlopen(etcd_url + "/health", timeout=2).status == 200, 30, "etcd")

        pki = self.pki
        # the unprivileged user Minishift logs you in as, with a bearer token
        token = base64.b32encode(os.urandom(20)).decode().lower()
        self.developer_token_file.write_text(token)
        self.developer_token_file.chmod(0o600)
        (self.workdir / "tokens.csv").write_text(f'{token},developer,developer-uid,"system:authenticated"\n')
        (self.workdir / "audit-policy.json").write_text(audit_policy(self.line))
        apiserver = [
            self._bin("kube-apiserver"),
            f"--etcd-servers={etcd_url}",
            f"--bind-address={self.state['address']}",
            f"--advertise-address={self.state['address']}",
            f"--secure-port={ports['apiserver']}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--token-auth-file={self.workdir / 'tokens.csv'}",
            "--service-cluster-ip-range=10.0.0.0/24",
            "--service-node-port-range=30000-32767",
            f"--service-account-key-file={pki / 'sa.pub'}",
            "--authorization-mode=Node,RBAC",
            "--allow-privileged=true",
            "--profiling=false",
            f"--cert-dir={self.workdir / 'apiserver-certs'}",
            f"--audit-policy-file={self.workdir / 'audit-policy.json'}",
            f"--audit-log-path={self.audit_log}",
            "--v=0",
        ]
        if old:
            # 1.11: no priority and fairness, the TokenRequest issuer is alpha,
            # and the insecure port is on by default
            apiserver += ["--insecure-port=0"]
        else:
            apiserver += [
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                "--enable-priority-and-fairness=false",
            ]
        self._spawn("kube-apiserver", apiserver)
        write_kubeconfig(self.kubeconfig, self.server, pki)
        write_kubeconfig(self.roles_kubeconfig, self.server, pki, cert="roles")
        self._wait(
            "kube-apiserver",
            lambda: self._https_get(f"{self.server}/healthz")[0] == 200,
            timeout,
            "kube-apiserver",
        )
        kubeconfig = str(self.kubeconfig)
        controller_manager = [
            self._bin("kube-controller-manager"),
            f"--kubeconfig={kubeconfig}",
            "--leader-elect=false",
            f"--service-account-private-key-file={pki / 'sa.key'}",
            f"--root-ca-file={pki / 'ca.crt'}",
            "--use-service-account-credentials=true",
            f"--cluster-signing-cert-file={pki / 'ca.crt'}",
            f"--cluster-signing-key-file={pki / 'ca.key'}",
            # PV recycling runs a pod; kwok pods do nothing, so keep the default template
            "--controllers=*",
        ]
        scheduler = [self._bin("kube-scheduler"), f"--kubeconfig={kubeconfig}", "--leader-elect=false"]
        if old:
            # 1.11 serves health only insecurely (--port); switch it off. Without
            # leases kwok heartbeats through node status about every 45 s, past
            # 1.11's 40 s grace period: the node controller would mark every pod
            # NotReady, and nothing (no kubelet) would mark them Ready again.
            controller_manager += ["--port=0", "--secure-port=0", "--node-monitor-grace-period=5m"]
            scheduler += ["--port=0"]
        else:
            controller_manager += [
                f"--authentication-kubeconfig={kubeconfig}",
                f"--authorization-kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1",
                f"--secure-port={ports['controller_manager']}",
                f"--cert-dir={self.workdir / 'cm-certs'}",
            ]
            scheduler += [
                f"--authentication-kubeconfig={kubeconfig}",
                f"--authorization-kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1",
                f"--secure-port={ports['scheduler']}",
                f"--cert-dir={self.workdir / 'scheduler-certs'}",
            ]
        self._spawn("kube-controller-manager", controller_manager)
        self._spawn("kube-scheduler", scheduler)
        self._spawn(
            "kwok",
            [
                self._bin("kwok"),
                f"--kubeconfig={kubeconfig}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--cidr=10.244.0.1/24",
                "--node-ip=10.0.0.1",
                f"--server-address=127.0.0.1:{ports['kwok']}",
            ]
            + (
                # 1.11 has no node Lease API: no leases, heartbeats through node status
                [
                    "--node-lease-duration-seconds=0",
                    f"--config={HERE / 'kwok' / 'node-initialize-no-lease.yaml'}",
                    f"--config={HERE / 'kwok' / 'node-heartbeat-no-lease.yaml'}",
                ]
                if old
                else ["--node-lease-duration-seconds=40"]
            ),
        )
        self._create_node()
        self._wait("node Ready", self._node_ready, timeout, "kwok")
        self._wait("default service account", self._default_sa, timeout, "kube-controller-manager")
        self._grant_developer()
        self.state["startup_seconds"] = round(time.monotonic() - started, 1)
        self.state["version"] = json.loads(self._https_get(f"{self.server}/version")[1])["gitVersion"]
        self._save()
        return self

    def _grant_developer(self) -> None:
        """What cluster-up gives ``developer``: admin of the ``myproject`` namespace, nothing cluster-wide."""
        self.kubectl("create", "namespace", "myproject", check=False)
        binding = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "developer-admin", "namespace": "myproject"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "developer"}],
        }
        self.kubectl("apply", "-f", "-", input=json.dumps(binding))

    def audit_events(self) -> list[dict]:
        """The audit log's events (ResponseComplete stage), in the order the API server handled them."""
        if not self.audit_log.exists():
            return []
        events = []
        for line in self.audit_log.read_text().splitlines():
            event = json.loads(line)
            if event.get("stage") == "ResponseComplete":
                events.append(event)
        return events

    def _create_node(self) -> None:
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": NODE_NAME,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {
                    "type": "kwok",
                    "kubernetes.io/hostname": NODE_NAME,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                },
            },
            "spec": {},
            "status": {
                "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                # every field kubectl 1.11's client-side validation requires
                "nodeInfo": {
                    "architecture": "amd64",
                    "operatingSystem": "linux",
                    "kubeletVersion": "fake",
                    "kubeProxyVersion": "fake",
                    "machineID": "kwok-node-0",
                    "systemUUID": "kwok-node-0",
                    "bootID": "kwok-node-0",
                    "kernelVersion": "fake",
                    "osImage": "kwok",
                    "containerRuntimeVersion": "fake://0",
                },
            },
        }
        self.kubectl("apply", "-f", "-", input=json.dumps(node))

    def _node_ready(self) -> bool:
        out = self.kubectl(
            "get", "node", NODE_NAME, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}', check=False
        )
        return out.stdout.strip() == "True"

    def _default_sa(self) -> bool:
        return self.kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0

    def stop(self) -> None:
        """Stop every process this cluster started, by PID, newest first."""
        pids = self.state.get("pids", {})
        for name in reversed(list(pids)):
            pid = pids[name]
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 10
        for name in reversed(list(pids)):
            while self._alive(name) and time.monotonic() < deadline:
                time.sleep(0.1)
            if self._alive(name):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pids[name], signal.SIGKILL)
        if pids:
            self.state["pids"] = {}
            self._save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start or stop the test Kubernetes control plane.")
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--bin-dir", type=Path, default=DEFAULT_BIN)
    parser.add_argument("--kubernetes", choices=KUBERNETES_LINES, default=DEFAULT_LINE)
    parser.add_argument("--extra-address", action="append", default=[], help="also serve the API on this address")
    args = parser.parse_args(argv)
    cluster = Cluster(args.workdir, args.bin_dir, args.kubernetes, tuple(args.extra_address))
    if args.command == "start":
        cluster.start()
        print(json.dumps(cluster.state, indent=2))
    elif args.command == "stop":
        cluster.stop()
    else:
        running = {c: cluster._alive(c) for c in cluster.COMPONENTS}
        print(json.dumps({"running": running, **cluster.state}, indent=2))
        return 0 if all(running.values()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
