"""Benchmark (not a timed test): the static volume rewrite and the readiness wait on the test cluster.

    .venv/bin/python tests/benchmarks/static_volume.py [--rounds 3] [--out docs/benchmarks.md]

1. Wall time of ffdl.platform.static_volume_claim (one ansible-playbook run,
   interpreter start-up included) against the tutorial's manual sequence
   `kubectl delete pvc; kubectl delete pv; kubectl apply` (+ `kubectl wait` for
   Bound, which the module also does), each from FfDL's chart state.
2. Time from the last pod becoming Ready to the return of the wait task the ffdl
   role uses (kubernetes.core.k8s_info with wait, wait_sleep 1).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from kubernetes import client  # noqa: E402

from tests.cluster.launcher import Cluster  # noqa: E402
from tests.support import k8s  # noqa: E402
from tests.support.ansible_run import run_playbook  # noqa: E402

PVC = textwrap.dedent(
    """\
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: static-volume-1
      namespace: {ns}
      labels: {{type: dlaas-static-volume}}
      annotations: {{volume.beta.kubernetes.io/storage-class: ""}}
    spec:
      storageClassName: ""
      accessModes: [ReadWriteMany]
      resources: {{requests: {{storage: 20Gi}}}}
      selector: {{matchLabels: {{volume: {pv}}}}}
    """
)


def manual(cluster, ns, local_pv, pv):
    start = time.monotonic()
    cluster.kubectl("delete", "pvc", "static-volume-1", "-n", ns)
    cluster.kubectl("delete", "pv", local_pv)
    cluster.kubectl("apply", "-f", "-", input=PVC.format(ns=ns, pv=pv))
    cluster.kubectl("wait", "-n", ns, "--for=jsonpath={.status.phase}=Bound", "pvc/static-volume-1", "--timeout=120s")
    return time.monotonic() - start


def module(cluster, ns, local_pv, pv, playbook):
    start = time.monotonic()
    result = run_playbook(
        playbook, {"kubeconfig": str(cluster.kubeconfig), "ns": ns, "target": pv, "local_pv": local_pv}
    )
    assert result.rc == 0, result.stdout[-2000:]
    return time.monotonic() - start


READY_PLAY = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Wait for ffdl-ui to be Ready
          kubernetes.core.k8s_info:
            kubeconfig: "{{ kubeconfig }}"
            kind: Pod
            namespace: "{{ ns }}"
            label_selectors: [service=ffdl-ui]
            wait: true
            wait_condition: {type: Ready, status: "True"}
            wait_timeout: 120
            wait_sleep: 1
    """
)


def readiness(cluster, api, ns, workdir):
    """Seconds between the pod's Ready transition and the wait task's end."""
    apps = client.AppsV1Api(api)
    core = client.CoreV1Api(api)
    playbook = workdir / "ready.yml"
    playbook.write_text(READY_PLAY)
    holder = {}
    thread = threading.Thread(
        target=lambda: holder.update(run=run_playbook(playbook, {"kubeconfig": str(cluster.kubeconfig), "ns": ns}))
    )
    thread.start()
    time.sleep(3)  # the task is polling before any pod exists
    labels = {"service": "ffdl-ui"}
    k8s.create_deployment(api, ns, "ffdl-ui", labels, "ffdl/ffdl-ui:v0.1.1")
    thread.join()
    result = holder["run"]
    assert result.rc == 0, result.stdout[-2000:]
    end = datetime.datetime.fromisoformat(result.plays[0]["tasks"][0]["task"]["duration"]["end"].replace("Z", "+00:00"))
    pod = core.list_namespaced_pod(ns, label_selector="service=ffdl-ui").items[0]
    ready = next(c.last_transition_time for c in pod.status.conditions if c.type == "Ready")
    apps.delete_namespaced_deployment("ffdl-ui", ns)
    return (end - ready).total_seconds()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ffdl-bench-"))
    cluster = Cluster(work / "cluster").start()
    try:
        api = k8s.api_client(cluster.kubeconfig)
        module_play = work / "module.yml"
        module_play.write_text(
            (REPO / "tests/integration/test_static_volume_claim.py")
            .read_text()
            .split('MODULE_PLAY = textwrap.dedent(\n    """\\\n')[1]
            .split('"""')[0]
        )
        timings = {"manual": [], "module": []}
        number = 500
        for round_ in range(args.rounds):
            for kind in ("manual", "module"):
                ns = f"bench-{kind}-{round_}"
                k8s.ensure_namespace(api, ns)
                pv = k8s.minishift_pvs(api, work / ns, count=1, start=number)[0]
                number += 1
                local_pv = f"local-volume-{ns}"
                k8s.chart_static_volume(api, ns, local_pv)
                if kind == "manual":
                    timings[kind].append(manual(cluster, ns, local_pv, pv))
                else:
                    timings[kind].append(module(cluster, ns, local_pv, pv, module_play))
        noop_play = work / "noop.yml"
        noop_play.write_text(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug: {msg: x}\n"
        )
        noop = []
        for _round in range(args.rounds):
            start = time.monotonic()
            assert run_playbook(noop_play).rc == 0
            noop.append(time.monotonic() - start)
        ready = []
        for round_ in range(args.rounds):
            ns = f"bench-ready-{round_}"
            k8s.ensure_namespace(api, ns)
            ready.append(readiness(cluster, api, ns, work))
    finally:
        cluster.stop()

    version = dict(
        line.split("=", 1) for line in (REPO / "tests/cluster/versions.env").read_text().split() if "=" in line
    )["KUBERNETES_VERSION"]

    def fmt(values):
        return (
            f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
        )

    by_hand = "tutorial by hand: `kubectl delete pvc`, `kubectl delete pv`, `kubectl apply`, `kubectl wait` for Bound"
    by_module = "`ffdl.platform.static_volume_claim`, one `ansible-playbook` run (start-up included)"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        textwrap.dedent(
            f"""\
            # Benchmarks

            Measured by `tests/benchmarks/static_volume.py` on the test cluster
            (tests/cluster: Kubernetes {version} control plane, kwok node),
            2-core machine, {datetime.date.today().isoformat()}. Not a timed test: figures vary with load.

            ## Static volume rewrite, from FfDL's chart state to a claim Bound to the target PV

            | how | wall time |
            |---|---|
            | {by_hand} | {fmt(timings["manual"])} |
            | {by_module} | {fmt(timings["module"])} |

            The module also sets Retain on the target PV, checks for pods using the
            claim, and writes the static-volumes-v2 ConfigMap. For scale, an
            `ansible-playbook` run of a single `debug` task takes {fmt(noop)} here.

            ## Readiness wait

            Time from the pod's Ready transition (its condition's lastTransitionTime,
            1 s resolution) to the end of the wait task the ffdl role uses
            (kubernetes.core.k8s_info, wait_sleep 1): {fmt(ready)}.
            """
        )
    )
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
