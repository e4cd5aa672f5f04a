"""Restricted networks (issue 33): site.yml from the offline bundle alone, and through a corporate proxy.

On one bed of its own (gate site-restricted-networks-ansible-core-2.16, old-API stream: the API server, Tiller,
moto and the REST stand-in on the Docker bridge, as the remote-VM gate's), with inventory/remote-vm and a fresh VM
for each cell, a teardown with its opt-ins after each:

- `make lock`'s playbook against the bed's sources: the Minishift double and its oc as release assets, the Helm
  mirror, FfDL's stand-in repository, the data set (Fashion-MNIST stands for MNIST here, its checksums in the lock
  template), a real OCI registry (go-containerregistry's `crane registry serve`) holding stand-in images for every
  image the lock names (OpenShift's, Tiller's, FfDL's, the learner's), and the Ubuntu 18.04 package set resolved on
  a reference VM (a fresh one from the same image, with network). `make bundle`'s playbook then builds the bundle.
- The offline cell: a VM on a Docker network with no route out (tests/support/vm.py InternalNetwork: every packet
  to anything but the controller is rejected and counted by the controller's firewall; its name server is outside,
  so a lookup counts too). A bundle with one artifact altered and one missing stops site.yml in preflight, naming
  both, with nothing installed; then site.yml with the bundle alone converges to the job COMPLETED with 0 attempts
  out and no request to any mirror, and a teardown with its opt-ins leaves the bed clean.
- The proxy cell: tinyproxy (Debian's) with basic authentication on the controller's side of another internal
  network, the VM's only way out; the mirrors listen on 127.0.0.2, which only the proxy (on the controller) reaches.
  site.yml with downloads_http(s)_proxy converges to COMPLETED: the proxy's log holds every download (the VM's
  Minishift archive, oc and Ubuntu packages, the controller's Helm archive and data set) and no address no_proxy
  covers; the credentials are in no output (gate no-secrets-in-output) and in no file others can read that the
  roles wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import yaml
from kubernetes import client

from tests.e2e.test_site_existing_cluster import bed_vars, site, summary, write_vars_file
from tests.integration.conftest import BIND
from tests.support import fixtures, servers
from tests.support import vm as vmbed
from tests.support.vm import docker, in_vm

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output"
INVENTORY = REPO / "inventory" / "remote-vm" / "hosts.yml"
HOST = "minishift-vm"
NS = "myproject"
CRANE = Path(os.environ.get("FFDL_TEST_CACHE", REPO / ".cache")) / "bin" / "crane"
# made up, watched by the no-secrets gate (scripts/test.sh)
PROXY_USER = "ffdl-proxy"
PROXY_PASSWORD = "made-up-proxy-pass-8Hq3"
# where the module's own mirrors listen: the controller's loopback, reached by the proxy on the controller, never by
# the VM directly (and not 127.0.0.1, which no_proxy always covers)
MIRROR_HOST = "127.0.0.2"
# the VM's host names: its container's, and the one Minishift gives it at every start
OWN_NAMES = ("vm", "minishift")
TEARDOWN_ALL = ("-e", "helm_tiller_state=absent", "-e", "minishift_state=absent", "-e", "minishift_delete_data=true")
FIGURES: dict[str, float] = {}


def registry_push(registry: str, reference: str, what: str, work: Path) -> None:
    """A stand-in image for ``reference`` (its repository and tag) in the bed's registry: one layer naming it."""
    from ansible_collections.ffdl.platform.plugins.plugin_utils.fetch import parse_reference

    _registry, repository, tag, _digest = parse_reference(reference)
    layer = work / "layer"
    shutil.rmtree(layer, ignore_errors=True)
    (layer / "stand-in").mkdir(parents=True)
    (layer / "stand-in" / "README").write_text(f"TEST STAND-IN for {reference}: {what} (tests/README.md)\n")
    with tarfile.open(work / "layer.tar", "w") as tar:
        tar.add(layer / "stand-in", arcname="stand-in")
    subprocess.run(
        [str(CRANE), "append", "--insecure", "-f", str(work / "layer.tar"), "-t", f"{registry}/{repository}:{tag}"],
        check=True,
        capture_output=True,
    )


def lock_template(fashion_mnist: Path, work: Path) -> Path:
    """The collection's lock as the bed's sources can serve it: Fashion-MNIST's checksums for the data set, the
    Ubuntu 18.04 platform of the bed's VM, and without what these machines cannot reach or do not need (another
    platform's package set, a non-default source's key, the controller's Python packages - all optional)."""
    lock = yaml.safe_load((REPO / "meta" / "artifacts.lock.yml").read_text())
    from tests.e2e.test_site_existing_cluster import _md5s

    md5 = _md5s(fashion_mnist)
    kept = []
    for entry in lock["artifacts"]:
        if entry.get("optional") and entry["name"] != "helm3":
            continue
        if entry["kind"] == "file" and entry["filename"] in md5:
            entry["checksum"] = "md5:" + md5[entry["filename"]]
            entry["size"] = (fashion_mnist / entry["filename"]).stat().st_size
        kept.append(entry)
    kept.append(
        {
            "name": "packages-ubuntu-18",
            "what": "Ubuntu 18.04 packages of the host roles (the bed's VM, CentOS 7's interpreters)",
            "kind": "packages",
            "roles": ["docker", "ssh", "s3fs"],
            "platform": "Ubuntu-18",
            "names": ["docker.io", "openssh-server", "openssh-client", "s3fs"],
            "files": None,
        }
    )
    lock["artifacts"] = kept
    path = work / "lock-template.yml"
    path.write_text("# the bed's lock template (tests/e2e/test_site_restricted_networks.py)\n" + yaml.safe_dump(lock))
    return path


def playbook(
    playbook_path: str, inventory: Path, vars_file: Path, name: str, *args: str
) -> subprocess.CompletedProcess:
    from tests.support import ansible_run

    started = time.monotonic()
    proc = subprocess.run(
        ["ansible-playbook", playbook_path, "-i", str(inventory), "-e", f"@{vars_file}", *args],
        env=ansible_run.ansible_environment(),
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    FIGURES[name] = time.monotonic() - started
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"e2e-restricted-{name}.log").write_text(f"# {FIGURES[name]:.1f} s\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def sources(cluster, helm_mirror, fashion_mnist, kubernetes_line, tmp_path_factory):
    """The bed's sources, on the controller: mirrors on 127.0.0.2, the registry, FfDL's bare repository."""
    if BIND == "127.0.0.1":
        pytest.skip("needs FFDL_TEST_BIND_ADDRESS set to the Docker bridge (scripts/test.sh does)")
    work = tmp_path_factory.mktemp("restricted")
    www = work / "www"
    subprocess.run(
        [str(REPO / "tests/doubles/minishift/package.sh"), str(www / "minishift"), "1.34.3"],
        env=dict(os.environ, OC_OUT=str(www / "origin")),
        check=True,
        capture_output=True,
    )
    shutil.copytree(helm_mirror["root"], www / "helm")
    shutil.copytree(fashion_mnist, www / "data")
    mirror = servers.start_http(str(www), host=MIRROR_HOST)
    source = fixtures.ffdl_repository(work / "FfDL", kubernetes_line)
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(work / "FfDL.git")], check=True)
    port = servers.free_port("127.0.0.1")
    (work / "registry").mkdir()
    registry = subprocess.Popen(
        [str(CRANE), "registry", "serve", "--address", f"127.0.0.1:{port}", "--disk", str(work / "registry")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    vmbed.wait("the bed's registry", lambda: servers.port_open("127.0.0.1", port), timeout=30)
    template = lock_template(fashion_mnist, work)
    for entry in yaml.safe_load(template.read_text())["artifacts"]:
        if entry["kind"] == "image":
            registry_push(f"127.0.0.1:{port}", entry["reference"], entry["what"], work)
    endpoint = f"http://127.0.0.1:{port}"
    mirrors = {
        "minishift_release_base_url": f"{mirror.url}/minishift",
        "minishift_oc_base_url": f"{mirror.url}/origin",
        "helm_release_base_url": f"{mirror.url}/helm",
        "training_data_mirrors": [f"{mirror.url}/data/"],
        "ffdl_repo_url": "file://" + str(work / "FfDL.git"),
    }
    yield {
        "work": work,
        "mirror": mirror,
        "mirrors": mirrors,
        "template": template,
        "registries": {"docker.io": endpoint, "ghcr.io": endpoint, "quay.io": endpoint},
        "lock": work / "artifacts.lock.yml",
        "bundle": work / "ffdl-bundle.tar",
    }
    servers.stop(mirror.pid)
    registry.terminate()


@pytest.fixture(scope="module")
def locked(sources):
    """make lock, with a reference VM of the bed's platform for its package set, then make bundle."""
    work = sources["work"]
    (work / "reference").mkdir()
    key = vmbed.operator_key(work / "reference")
    # a fresh machine of the VM's release, as the VM is before the run (sshd its owner gave it), with network
    reference = vmbed.start(key, prefix="ffdl-e2e-reference")
    inventory = work / "lock-inventory.yml"
    try:
        inventory.write_text(
            yaml.safe_dump(
                {
                    "ffdl_lock_reference": {
                        "hosts": {
                            reference: {
                                "ansible_connection": "community.docker.docker",
                                "ansible_python_interpreter": "/usr/bin/python3",
                            }
                        }
                    }
                }
            )
        )
        vars_file = write_vars_file(
            work / "reference",
            {
                **sources["mirrors"],
                "downloads_lock_file": str(sources["template"]),
                "downloads_lock_dest": str(sources["lock"]),
                "downloads_registries": sources["registries"],
                "downloads_bundle_output": str(sources["bundle"]),
            },
        )
        lock_run = playbook("playbooks/lock.yml", inventory, vars_file, "make-lock")
        assert lock_run.returncode == 0, lock_run.stdout[-4000:] + lock_run.stderr[-2000:]
    finally:
        docker("rm", "-f", "-v", reference, check=False)
    bundle_vars = write_vars_file(
        work, {"downloads_lock_file": str(sources["lock"]), "downloads_registries": sources["registries"],
               "downloads_bundle_output": str(sources["bundle"]), **sources["mirrors"]}
    )  # fmt: skip
    bundle_run = playbook("playbooks/bundle.yml", inventory, bundle_vars, "make-bundle")
    assert bundle_run.returncode == 0, bundle_run.stdout[-4000:] + bundle_run.stderr[-2000:]
    FIGURES["bundle_bytes"] = sources["bundle"].stat().st_size
    return sources


def test_make_lock_resolves_every_artifact_the_bed_serves(locked):
    lock = yaml.safe_load(locked["lock"].read_text())
    from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts

    unresolved = {e["name"]: artifacts.unresolved(e) for e in lock["artifacts"] if artifacts.unresolved(e)}
    assert unresolved == {}, unresolved
    entries = artifacts.entries(lock)
    # images by digest and image ID, never a tag alone; the floating etcd:latest pinned like the rest
    assert entries["etcd"]["digest"].startswith("sha256:") and entries["etcd"]["image_id"].startswith("sha256:")
    # the Minishift archive checked against its published .sha256, oc against the release's CHECKSUM
    assert entries["minishift"]["checksum"].startswith("sha256:") and entries["oc"]["checksum"].startswith("sha256:")
    assert len(entries["ffdl-charts"]["commit"]) == 40
    names = {f["filename"].split("_")[0] for f in entries["packages-ubuntu-18"]["files"]}
    assert {"docker.io", "s3fs"} <= names, names


def test_make_bundle_holds_every_artifact_checked(locked):
    from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, bundle_build

    lock = artifacts.load_lock(str(locked["lock"]))
    root, problems, _unpacked = bundle_build.unpack(str(locked["bundle"]), lock)
    assert problems == [], problems
    index = artifacts.read_index(root)
    assert "images/tiller.tar" in index["files"] and "packages/packages-ubuntu-18.tar" in index["files"]
    (OUTPUT / "e2e-restricted-benchmark.txt").write_text(
        f"make lock {FIGURES['make-lock']:.1f} s; make bundle {FIGURES['make-bundle']:.1f} s, "
        f"{FIGURES['bundle_bytes'] / 1048576:.1f} MiB, {len(index['files'])} files\n"
    )


def cell(kind, locked, bed, cell_vars, start_proxy=None):
    """One cell: a fresh VM of the bed's image on its own internal network (tests/support/vm.py), cluster up's part
    around it, and the site values every cell shares beside the cell's own; torn down after, the SCC API too."""
    cluster, api, s3, restapi, tiller, fashion_mnist, kubernetes_line = bed
    work = locked["work"] / kind
    work.mkdir()
    key = vmbed.operator_key(work)
    name = vmbed.start(key, prefix=f"ffdl-e2e-{kind}")
    network = vmbed.InternalNetwork()
    stop = None
    try:
        address = network.attach(name)
        vmbed.wait_for_sshd(name, address)
        vmbed.cluster_up_for(
            name, address, cluster, api, kubernetes_line,
            {"ffdl-restapi": f"{BIND}:{restapi.port}", "s3": f"{BIND}:{s3.port}"},
        )  # fmt: skip
        extra, stop = start_proxy(network, work) if start_proxy else ({}, None)
        site_vars = {
            **vmbed.site_vars(address, key, work),
            "helm_tiller_host": tiller,
            **bed_vars(work, cell_vars.pop("data_url"), fashion_mnist),
            "preflight_min_cpus": 2,
            "preflight_disabled_checks": ["docker_storage"],
            # The VM's own Docker would take 172.17.0.0/16, where the controller's bed answers (the Docker bridge):
            # as on any network that uses that range, dockerd gets another.
            "docker_daemon_options": {"bip": "192.168.213.1/24"},
            **cell_vars,
            **extra,
        }
        host_vars = vmbed.interpreter_host_vars(work, HOST)
        yield {
            "name": name,
            "address": address,
            "work": work,
            "network": network,
            "vars": site_vars,
            "vars_file": write_vars_file(work, site_vars),
            "inventory": INVENTORY,
            "more_inventories": [host_vars],
            "api": api,
            "log": work / "tinyproxy.log",
        }
    finally:
        if stop:
            stop()
        vmbed.keep_log(name, OUTPUT / f"e2e-restricted-{kind}-nodeport-proxy.log")
        docker("rm", "-f", "-v", name, check=False)
        network.remove()
        fixtures.remove_scc_double(cluster)


@pytest.fixture(scope="class")
def offline_vm(locked, cluster, api, s3, restapi, tiller, fashion_mnist, kubernetes_line):
    bed = (cluster, api, s3, restapi, tiller, fashion_mnist, kubernetes_line)
    # the bundle alone: no mirror is named, the roles' defaults point at the real (unreachable) sources
    cell_vars = {
        "data_url": "http://unreachable.invalid",
        "downloads_bundle": str(locked["bundle"]),
        "downloads_lock_file": str(locked["lock"]),
    }
    yield from cell("offline", locked, bed, cell_vars)


class TestOffline:
    """The VM on a network with no route out, the bundle its only source (one VM, torn down after)."""

    def test_a_bundle_with_an_artifact_altered_or_missing_stops_in_preflight_naming_them(self, offline_vm, locked):
        from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts

        good = Path(artifacts.bundle_root(str(locked["bundle"])))
        damaged = offline_vm["work"] / "damaged" / artifacts.BUNDLE_TOP
        shutil.copytree(good, damaged)
        with open(damaged / "files" / "minishift" / "minishift-1.34.3-linux-amd64.tgz", "r+b") as handle:
            handle.write(b"\0")
        (damaged / "images" / "tiller.tar").unlink()
        run = site(offline_vm, "site.yml", "-e", f"downloads_bundle={damaged}", name="restricted-damaged-bundle")
        assert run["rc"] != 0 and run["phases"]["failed_phase"] == "preflight", run["stdout"][-4000:]
        report = json.loads(Path(offline_vm["vars"]["preflight_report_path"]).read_text())
        checks = {entry["check"]: entry for entry in report[HOST]}
        assert checks["bundle"]["state"] == "failed" and checks["sources"]["state"] == "skipped", checks
        found = checks["bundle"]["found"]
        assert "minishift (Minishift 1.34.3 release archive (linux-amd64)): files/minishift/" in found, found
        assert "minishift-1.34.3-linux-amd64.tgz is altered" in found, found
        assert "tiller (Tiller 2.17.0 image" in found and "images/tiller.tar is missing from the bundle" in found, found
        assert in_vm(offline_vm["name"], "command -v dockerd minishift || true").stdout.strip() == ""

    def test_site_from_the_bundle_alone_with_no_route_out_trains_to_completed(self, offline_vm, locked):
        mirror_log = Path(locked["mirror"].log)
        before = mirror_log.stat().st_size
        attempts_before = offline_vm["network"].outside_attempts()
        lookups_before = len(offline_vm["network"].lookups())
        run = site(offline_vm, name="restricted-offline-converge")
        FIGURES["offline_converge"] = run["seconds"]
        assert run["rc"] == 0, run["stdout"][-6000:]
        assert "COMPLETED" in next(line for line in summary(run) if line.startswith("Training:"))
        # not one packet to anything but the controller, not one request to a mirror
        attempts = offline_vm["network"].outside_attempts() - attempts_before
        assert attempts == 0, f"{attempts} packets out: {offline_vm['network'].outside_destinations()}"
        # (its own name is the host's affair: Minishift renames it at every start)
        lookups = [n for n in offline_vm["network"].lookups()[lookups_before:] if n not in OWN_NAMES]
        assert lookups == [], f"the VM looked up {sorted(set(lookups))}: {offline_vm['network'].names.times}"
        assert mirror_log.stat().st_size == before, mirror_log.read_text()[before:]
        # what the bundle brought: the packages from its repository, the images with their locked IDs
        policy = in_vm(offline_vm["name"], "apt-cache policy docker.io s3fs").stdout
        assert "file:/var/cache/ffdl-platform/packages" in policy, policy
        images = in_vm(offline_vm["name"], "docker images --format '{{.Repository}}:{{.Tag}}'").stdout.split()
        assert {"ffdl/ffdl-lcm:v0.1.1", "ghcr.io/helm/tiller:v2.17.0", "openshift/origin-control-plane:v3.11.0"} <= set(
            images
        ), images
        # oc came from the bundle too: Minishift found it in its cache and fetched nothing
        calls = in_vm(offline_vm["name"], "cat /root/.minishift/double-calls.log").stdout.splitlines()
        starts = [json.loads(line) for line in calls if '"start-result"' in line]
        assert starts and starts[-1]["ok"] and starts[-1]["oc"] == "cached", starts[-1:]
        again = site(offline_vm, name="restricted-offline-no-op")
        assert again["rc"] == 0 and again["recap"]["changed"] == 0, again["stdout"][-6000:]
        with (OUTPUT / "e2e-restricted-benchmark.txt").open("a") as out:
            out.write(f"first converge from the bundle {run['seconds']:.1f} s, no-op re-run {again['seconds']:.1f} s\n")

    def test_teardown_after_the_offline_cell_leaves_the_bed_clean(self, offline_vm):
        run = site(offline_vm, "playbooks/teardown.yml", *TEARDOWN_ALL, name="restricted-offline-teardown")
        assert run["rc"] == 0, run["stdout"][-6000:]
        core = client.CoreV1Api(offline_vm["api"])
        assert "tiller" not in {a.metadata.name for a in core.list_namespaced_service_account("kube-system").items}


TINYPROXY_CONF = """Port {port}
Listen {listen}
Timeout 120
LogFile "{log}"
LogLevel Info
MaxClients 50
Allow {subnet}
Allow 127.0.0.1
BasicAuth {user} {password}
ConnectPort 443
DisableViaHeader Yes
"""


def tinyproxy(network, work):
    """tinyproxy with basic authentication on the controller's side of the VM's network; its URL as the site
    values name it, and how to stop it."""
    port = servers.free_port(network.gateway)
    conf = work / "tinyproxy.conf"
    conf.write_text(
        TINYPROXY_CONF.format(port=port, listen=network.gateway, log=work / "tinyproxy.log", subnet=network.subnet,
                              user=PROXY_USER, password=PROXY_PASSWORD)
    )  # fmt: skip
    conf.chmod(0o600)
    proxy = subprocess.Popen(
        ["tinyproxy", "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    vmbed.wait("tinyproxy", lambda: servers.port_open(network.gateway, port), timeout=30)
    url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@{network.gateway}:{port}"
    # the corporate proxy, set once for every host and the controller
    return {"downloads_http_proxy": url, "downloads_https_proxy": url}, proxy.terminate


@pytest.fixture(scope="class")
def proxy_vm(locked, cluster, api, s3, restapi, tiller, fashion_mnist, kubernetes_line):
    bed = (cluster, api, s3, restapi, tiller, fashion_mnist, kubernetes_line)
    # the lock make lock refreshed (its mirrors serve the locked bytes), the mirrors on 127.0.0.2
    cell_vars = {
        "data_url": locked["mirrors"]["training_data_mirrors"][0].rstrip("/"),
        "downloads_lock_file": str(locked["lock"]),
        **locked["mirrors"],
    }
    yield from cell("proxy", locked, bed, cell_vars, start_proxy=tinyproxy)


class TestProxy:
    """The VM whose only way out is a corporate proxy (one VM, torn down after)."""

    def test_site_through_a_corporate_proxy_trains_and_the_proxy_saw_every_download(self, proxy_vm):
        attempts_before = proxy_vm["network"].outside_attempts()
        lookups_before = len(proxy_vm["network"].lookups())
        run = site(proxy_vm, name="restricted-proxy-converge")
        assert run["rc"] == 0, run["stdout"][-6000:]
        assert "COMPLETED" in next(line for line in summary(run) if line.startswith("Training:"))
        # the proxy was the VM's only way out
        attempts = proxy_vm["network"].outside_attempts() - attempts_before
        assert attempts == 0, f"{attempts} packets out: {proxy_vm['network'].outside_destinations()}"
        # names are the proxy's to resolve: the VM looks none up
        # (apt asks the proxy's own address for an SRV record: the controller's)
        gateway = proxy_vm["network"].gateway
        lookups = [
            n for n in proxy_vm["network"].lookups()[lookups_before:] if n not in OWN_NAMES and not n.endswith(gateway)
        ]
        assert lookups == [], f"the VM looked up {sorted(set(lookups))}"
        log = proxy_vm["log"].read_text()
        (OUTPUT / "e2e-restricted-tinyproxy.log").write_text(log)
        for download in (
            "/minishift/v1.34.3/minishift-1.34.3-linux-amd64.tgz",  # the VM's release_binary
            "/origin/v3.11.0/openshift-origin-client-tools",  # oc, put in Minishift's cache by the role
            "/helm/helm-v2.17.0-linux-amd64.tar.gz",  # the controller's helm
            "/data/train-images-idx3-ubyte.gz",  # the controller's data set
            "/docker.io_",  # apt in the VM
            "/s3fs_",
        ):
            assert download in log, f"{download} not in the proxy's log"
        # nothing no_proxy covers went through it: the node (the VM), the API server and the cluster's services
        for direct in (proxy_vm["address"], "localhost", "127.0.0.1", ".svc", BIND):
            assert f"//{direct}" not in log and f"CONNECT {direct}" not in log, f"{direct} went through the proxy"
        # the roles' own files holding the proxy are root's alone
        modes = in_vm(
            proxy_vm["name"],
            "stat -c '%a %n' /etc/apt/apt.conf.d/80ffdl-platform-proxy /etc/docker/ffdl-platform-proxy.env",
        ).stdout.split("\n")
        assert all(line.startswith("600 ") for line in modes if line), modes

    def test_teardown_after_the_proxy_cell_leaves_the_bed_clean(self, proxy_vm):
        run = site(proxy_vm, "playbooks/teardown.yml", *TEARDOWN_ALL, name="restricted-proxy-teardown")
        assert run["rc"] == 0, run["stdout"][-6000:]
