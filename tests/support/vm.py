"""The remote-VM bed's VM: a systemd container reached over SSH, and the cluster-up pieces the bed puts around it.

Shared by tests/e2e/test_site_remote_vm.py (a VM on the Docker bridge) and
tests/e2e/test_site_restricted_networks.py (a VM on an internal network whose
only ways out are the controller, or a proxy on it).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import subprocess
import time
import uuid
from pathlib import Path

from kubernetes import client

from tests.support import fixtures, k8s, servers

REPO = Path(__file__).resolve().parents[2]
IMAGE = "ffdl-test/ubuntu-bionic:latest"  # molecule/images/build.sh: Python 2.7 and 3.6, as CentOS 7


def docker(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], input=stdin, capture_output=True, text=True, check=check)


def in_vm(name: str, script: str, check: bool = True) -> subprocess.CompletedProcess:
    return docker("exec", "-i", name, "sh", "-euc", script, check=check)


def wait(what: str, check, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise TimeoutError(what)


def address(name: str, network: str | None = None) -> str:
    if network:
        fmt = "{{(index .NetworkSettings.Networks " + json.dumps(network) + ").IPAddress}}"
    else:
        fmt = "{{.NetworkSettings.IPAddress}}"
    return docker("inspect", "-f", fmt, name).stdout.strip()


def start(key: Path, prefix: str = "ffdl-e2e-vm") -> str:
    """A fresh VM on the Docker bridge with the operator's key and sshd (what its owner gave it), as the molecule
    platforms run (.config/molecule/config.yml). Returns its container name."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    docker(
        "run", "-d", "--name", name, "--hostname", "vm",
        "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "MKNOD", "--cap-add", "SYS_PTRACE",
        "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
        "--device", "/dev/fuse:/dev/fuse", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp", "--stop-signal", "SIGRTMIN+3",
        IMAGE, "/lib/systemd/systemd",
    )  # fmt: skip
    try:
        wait(
            "systemd up in the VM",
            lambda: in_vm(name, "systemctl is-system-running", check=False).stdout.strip() in ("running", "degraded"),
        )
        in_vm(name, "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null")
        docker(
            "exec", "-i", name, "sh", "-c",
            "install -d -m 0700 /root/.ssh && umask 077 && cat > /root/.ssh/authorized_keys",
            stdin=key.with_suffix(".pub").read_text(),
        )  # fmt: skip
    except Exception:
        docker("rm", "-f", "-v", name, check=False)
        raise
    return name


def operator_key(work: Path) -> Path:
    key = work / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def wait_for_sshd(name: str, vm_address: str) -> None:
    wait("sshd in the VM", lambda: servers.port_open(vm_address, 22), timeout=60)


class NameRecorder:
    """A name server on the controller that answers every query "no such name" and records the name asked: the
    VM's resolver, so every lookup of an outside name - the first step of any attempt to reach the outside - is
    seen, with the name."""

    def __init__(self, address: str):
        import socket
        import threading

        self.names: list[str] = []
        self.times: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 53))
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                query, client = self.sock.recvfrom(512)
            except OSError:
                return
            labels, i = [], 12
            while i < len(query) and query[i]:
                labels.append(query[i + 1 : i + 1 + query[i]].decode("ascii", "replace"))
                i += 1 + query[i]
            self.names.append(".".join(labels))
            self.times.append(time.strftime("%H:%M:%S") + " " + ".".join(labels))
            # the same id and question, flags: a response, NXDOMAIN
            answer = query[:2] + b"\x81\x83" + query[4:6] + b"\x00\x00\x00\x00\x00\x00" + query[12 : i + 5]
            self.sock.sendto(answer, client)

    def close(self):
        self.sock.close()


class InternalNetwork:
    """A Docker network with no route out (--internal), for a VM whose only way out is the controller.

    The VM gets a default route through the network's gateway (the controller's side of it), and the controller's
    firewall rejects and counts, at the top of FORWARD, every packet it sends to anything but the controller.
    Its name server is a NameRecorder on the controller, so every lookup of a name is recorded too. What it
    sends to the controller's own addresses (SSH answers, the bed's services, a proxy there) is the controller's
    INPUT, not counted.
    """

    def __init__(self):
        self.name = f"ffdl-internal-{uuid.uuid4().hex[:8]}"
        docker("network", "create", "--internal", self.name)
        info = json.loads(docker("network", "inspect", self.name).stdout)[0]
        config = info["IPAM"]["Config"][0]
        self.subnet = config["Subnet"]
        self.gateway = config.get("Gateway") or str(next(ipaddress.ip_network(self.subnet).hosts()))
        self.rules: list[list[str]] = []
        self.names = NameRecorder(self.gateway)

    def attach(self, name: str) -> str:
        """Moves the VM from the bridge onto this network; returns its address there. The OS's own periodic
        network jobs (apt's daily update and upgrade, Ubuntu's message of the day) are switched off first, as on a
        host without a network: the lookups and packets counted are then the run's."""
        in_vm(name, "systemctl disable --now apt-daily.timer apt-daily-upgrade.timer motd-news.timer >/dev/null 2>&1")
        docker("network", "connect", self.name, name)
        docker("network", "disconnect", "bridge", name)
        vm_address = address(name, self.name)
        in_vm(
            name, f"ip route replace default via {self.gateway} && echo 'nameserver {self.gateway}' > /etc/resolv.conf"
        )
        rule = ["FORWARD", "-s", f"{vm_address}/32", "-m", "comment", "--comment", f"{self.name}", "-j", "REJECT"]
        subprocess.run(["iptables", "-I", *rule], check=True)
        self.rules.append(rule)
        # each attempt also in the kernel's log, where outside_destinations() finds whom it was for
        log = ["FORWARD", "-s", f"{vm_address}/32", "-m", "comment", "--comment", f"{self.name}-log", "-j", "LOG",
               "--log-prefix", f"{self.name[-8:]}: "]  # fmt: skip
        subprocess.run(["iptables", "-I", *log], check=True)
        self.rules.append(log)
        return vm_address

    def outside_attempts(self) -> int:
        """Packets the VM sent to anything but the controller (each an attempt; REJECT answers at once)."""
        out = subprocess.run(
            ["iptables", "-L", "FORWARD", "-v", "-x", "-n"], capture_output=True, text=True, check=True
        ).stdout
        return sum(int(line.split()[0]) for line in out.splitlines() if f"/* {self.name} */" in line)

    def outside_destinations(self) -> list[str]:
        """Where the counted packets went (protocol, address, port), from the kernel's log."""
        log = subprocess.run(["dmesg"], capture_output=True, text=True, check=False).stdout
        seen = []
        for line in log.splitlines():
            if f"{self.name[-8:]}: " in line:
                fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
                entry = f"{fields.get('PROTO')} {fields.get('DST')}:{fields.get('DPT')}"
                if entry not in seen:
                    seen.append(entry)
        return seen

    def lookups(self) -> list[str]:
        """The names the VM looked up, in order."""
        return list(self.names.names)

    def remove(self) -> None:
        self.names.close()
        for rule in self.rules:
            subprocess.run(["iptables", "-D", *rule], check=False)
        docker("network", "rm", self.name, check=False)


def cluster_up_for(name: str, vm_address: str, cluster, api, kubernetes_line: str, routes: dict[str, str]) -> None:
    """What `oc cluster up` makes around a VM: the Minishift double's test configuration (its kubeconfigs point at
    the bed's API server), the node's InternalIP (the VM's address), the SCC API and cluster-up's PVs, and
    kube-proxy's part (tests/doubles/nodeport_proxy.py in the VM, ``routes`` service -> host:port)."""
    pki = cluster.pki
    double_config = {
        "api_server": cluster.server,
        "ca_data": base64.b64encode((pki / "ca.crt").read_bytes()).decode(),
        "admin_cert_data": base64.b64encode((pki / "admin.crt").read_bytes()).decode(),
        "admin_key_data": base64.b64encode((pki / "admin.key").read_bytes()).decode(),
        "developer_token": cluster.developer_token_file.read_text().strip(),
    }
    configure_double(name, double_config)
    core = client.CoreV1Api(api)
    node = core.list_node().items[0].metadata.name
    core.patch_node_status(node, {"status": {"addresses": [{"type": "InternalIP", "address": vm_address}]}})
    fixtures.install_scc_double(cluster, kubernetes_line)
    k8s.minishift_pvs(api, "/var/lib/minishift/base", count=3, start=1, make_dirs=False)
    docker("cp", str(REPO / "tests/doubles/nodeport_proxy.py"), f"{name}:/usr/local/sbin/nodeport_proxy.py")
    # (not under /run: a tmpfs there hides what docker cp writes)
    in_vm(name, "install -d -m 0700 /etc/nodeport-proxy")
    for file in ("ca.crt", "admin.crt", "admin.key"):
        docker("cp", str(pki / file), f"{name}:/etc/nodeport-proxy/{file}")
    route_args = " ".join(f"--route {service}={target}" for service, target in routes.items())
    docker(
        "exec", "-d", name, "sh", "-c",
        f"exec python3 /usr/local/sbin/nodeport_proxy.py --api {cluster.server} --ca /etc/nodeport-proxy/ca.crt"
        f" --cert /etc/nodeport-proxy/admin.crt --key /etc/nodeport-proxy/admin.key {route_args}"
        " > /var/log/nodeport-proxy.log 2>&1",
    )  # fmt: skip


def site_vars(address: str, key: Path, work: Path) -> dict:
    """The site values of a VM the bed made: what a user of inventory/remote-vm fills in (the VM's address and the
    operator's key), and where the cluster plays, which run from the controller, keep their files."""
    return {
        "ansible_host": address,
        "ansible_ssh_private_key_file": str(key),
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        "helm_bin_dir": str(work / "bin"),
        "helm_home": str(work / "helm-home"),
        "ffdl_source_dir": str(work / "src"),
        "ffdl_config_dir": str(work / "config"),
        "k8s_auth_controller_dir": str(work / "kube"),
        "training_work_dir": str(work / "training"),
    }


def interpreter_host_vars(work: Path, host: str) -> Path:
    """A host variable beside the shipped inventory, as a user's host_vars: the VM managed under /usr/bin/python
    (2.7), what ansible-core 2.16's discovery gives a stock CentOS 7 host, whose python3 (3.6) comes with yum later
    if at all; on Ubuntu 18.04 discovery would take python3.6, which k8s_auth_run_on auto treats the same
    (tests/unit/plugins/filter/test_cluster_tasks_run_on.py). As an extra var it would bind every host, the
    controller that runs the cluster plays too."""
    path = work / "interpreter.yml"
    path.write_text(json.dumps({"all": {"hosts": {host: {"ansible_python_interpreter": "/usr/bin/python"}}}}))
    return path


def configure_double(name: str, config: dict) -> None:
    docker(
        "exec", "-i", name, "sh", "-c", "umask 077; cat > /etc/minishift-double.json", stdin=json.dumps(config)
    )  # fmt: skip


def keep_log(name: str, out: Path) -> None:
    logs = in_vm(name, "cat /var/log/nodeport-proxy.log 2>/dev/null || true", check=False).stdout
    out.write_text(logs)
