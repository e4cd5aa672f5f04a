"""ffdl.platform.static_volume_claim through ansible-playbook against the real control plane."""

from __future__ import annotations

import contextlib
import itertools
import textwrap

import pytest
import yaml
from kubernetes import client

from tests.support import k8s
from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.cluster

MODULE_PLAY = textwrap.dedent(
    """\
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Rewrite the static volume claim
          ffdl.platform.static_volume_claim:
            kubeconfig: "{{ kubeconfig }}"
            namespace: "{{ ns }}"
            volume_name: "{{ target }}"
            remove_volumes: ["{{ local_pv }}"]
            size: "{{ size | default('20Gi') }}"
            wait_timeout: 60
          register: rewrite
        - name: Show the steps
          ansible.builtin.debug:
            var: rewrite.actions
    """
)


_PV_NUMBERS = itertools.count(200, 10)


@pytest.fixture
def bed(api, cluster, namespace, tmp_path):
    """FfDL's chart state: static-volume-1 bound to a local-volume-1, plus cluster-up PVs."""
    start = next(_PV_NUMBERS)
    target = k8s.minishift_pvs(api, tmp_path, count=2, start=start)[0]
    core = client.CoreV1Api(api)
    local_pv = f"local-volume-{namespace}"[:63]
    k8s.chart_static_volume(api, namespace, local_pv)
    (tmp_path / "openshift.local.pv" / target / "keep.txt").write_text("job output")
    playbook = tmp_path / "play.yml"
    playbook.write_text(MODULE_PLAY)
    extra = {"kubeconfig": str(cluster.roles_kubeconfig), "ns": namespace, "target": target, "local_pv": local_pv}
    yield {
        "core": core,
        "ns": namespace,
        "target": target,
        "local_pv": local_pv,
        "playbook": playbook,
        "vars": extra,
        "data": tmp_path / "openshift.local.pv" / target / "keep.txt",
    }
    for name in (target, local_pv):
        with contextlib.suppress(client.ApiException):
            core.delete_persistent_volume(name)


def assert_rewritten(bed):
    core, ns = bed["core"], bed["ns"]
    pvc = core.read_namespaced_persistent_volume_claim("static-volume-1", ns)
    assert pvc.status.phase == "Bound"
    assert pvc.spec.volume_name == bed["target"]
    assert pvc.spec.selector.match_labels == {"volume": bed["target"]}
    assert pvc.metadata.labels["type"] == "dlaas-static-volume"
    assert pvc.metadata.annotations["volume.beta.kubernetes.io/storage-class"] == ""
    assert pvc.spec.access_modes == ["ReadWriteMany"]
    assert pvc.spec.resources.requests["storage"] == "20Gi"
    with pytest.raises(client.ApiException) as gone:
        core.read_persistent_volume(bed["local_pv"])
    assert gone.value.status == 404
    cm = core.read_namespaced_config_map("static-volumes-v2", ns)
    assert yaml.safe_load(cm.data["PVCs-v2.yaml"]) == {
        "static-volumes-v2": [{"name": "static-volume-1", "zlabel": "static-volume-1", "status": "active"}]
    }
    assert core.read_persistent_volume(bed["target"]).spec.persistent_volume_reclaim_policy == "Retain"
    assert bed["data"].read_text() == "job output"


def test_rewrite_then_nothing_to_do(bed):
    first = run_playbook(bed["playbook"], bed["vars"])
    assert first.rc == 0, first.stdout[-3000:]
    steps = first.task_results("Rewrite the static volume claim")[0]["actions"]
    assert steps[0].startswith("set reclaim policy Retain")
    assert any(s.startswith("delete claim static-volume-1") for s in steps)
    assert f"delete PersistentVolume {bed['local_pv']}" in steps
    assert_rewritten(bed)
    second = run_playbook(bed["playbook"], bed["vars"])
    assert second.rc == 0 and second.changed() == 0, second.task_results("Rewrite the static volume claim")


def test_check_mode_changes_nothing_and_predicts_the_steps(bed):
    core, ns = bed["core"], bed["ns"]
    before = core.read_namespaced_persistent_volume_claim("static-volume-1", ns)
    run = run_playbook(bed["playbook"], bed["vars"], check=True, diff=True)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.task_results("Rewrite the static volume claim")[0]
    assert result["changed"] and "create claim static-volume-1" in result["actions"]
    after = core.read_namespaced_persistent_volume_claim("static-volume-1", ns)
    assert after.metadata.uid == before.metadata.uid and after.spec.volume_name == bed["local_pv"]
    assert core.read_persistent_volume(bed["local_pv"]).metadata.name == bed["local_pv"]


def test_interrupted_after_the_claim_deletion_converges(bed):
    core, ns = bed["core"], bed["ns"]
    # the state a run leaves when it stops right after deleting the old claim
    core.patch_persistent_volume(bed["target"], {"spec": {"persistentVolumeReclaimPolicy": "Retain"}})
    core.delete_namespaced_persistent_volume_claim("static-volume-1", ns)
    k8s.wait_for(
        "old claim gone",
        lambda: (
            not [
                c
                for c in core.list_namespaced_persistent_volume_claim(ns).items
                if c.metadata.name == "static-volume-1"
            ]
        ),
    )
    run = run_playbook(bed["playbook"], bed["vars"])
    assert run.rc == 0, run.stdout[-3000:]
    assert_rewritten(bed)


def test_released_target_from_an_earlier_run_is_freed(bed):
    first = run_playbook(bed["playbook"], bed["vars"])
    assert first.rc == 0
    core, ns = bed["core"], bed["ns"]
    core.delete_namespaced_persistent_volume_claim("static-volume-1", ns)
    k8s.wait_for("target released", lambda: core.read_persistent_volume(bed["target"]).status.phase == "Released")
    run = run_playbook(bed["playbook"], bed["vars"])
    assert run.rc == 0, run.stdout[-3000:]
    assert (
        f"clear the stale claimRef of PersistentVolume {bed['target']}"
        in run.task_results("Rewrite the static volume claim")[0]["actions"]
    )
    assert_rewritten(bed)


def test_claim_in_use_is_not_replaced(bed):
    core, ns = bed["core"], bed["ns"]
    core.create_namespaced_pod(
        ns,
        client.V1Pod(
            metadata=client.V1ObjectMeta(name="learner-0"),
            spec=client.V1PodSpec(
                containers=[client.V1Container(name="learner", image="tensorflow/tensorflow:1.5.0-py3")],
                volumes=[
                    client.V1Volume(
                        name="jobdata",
                        persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(
                            claim_name="static-volume-1"
                        ),
                    )
                ],
            ),
        ),
    )
    k8s.wait_for("pod running", lambda: core.read_namespaced_pod("learner-0", ns).status.phase == "Running")
    run = run_playbook(bed["playbook"], bed["vars"])
    assert run.rc != 0
    assert any("learner-0" in m for m in run.failure_messages()), run.failure_messages()
    assert core.read_namespaced_persistent_volume_claim("static-volume-1", ns).spec.volume_name == bed["local_pv"]


def test_target_too_small_is_refused_before_anything_changes(bed, cluster):
    """200Gi does not fit a 100Gi cluster-up PV: refused with the chart's claim, PVs and policies untouched."""
    before = len(cluster.audit_events())
    result = run_playbook(bed["playbook"], {**bed["vars"], "size": "200Gi"})
    assert result.rc != 0
    message = " ".join(result.failure_messages())
    assert f"PersistentVolume {bed['target']} cannot take claim" in message
    assert "capacity 100Gi is less than the claim's 200Gi" in message
    core = bed["core"]
    assert (
        core.read_namespaced_persistent_volume_claim("static-volume-1", bed["ns"]).spec.volume_name == bed["local_pv"]
    )
    assert core.read_persistent_volume(bed["target"]).spec.persistent_volume_reclaim_policy == "Recycle"
    assert k8s.writes(cluster.audit_events()[before:]) == []


def test_malformed_size_is_refused_before_the_cluster_is_read(bed, cluster):
    result = run_playbook(bed["playbook"], {**bed["vars"], "size": "20 GB"})
    assert result.rc != 0
    assert "size: '20 GB' is not a storage quantity above zero like 20Gi" in " ".join(result.failure_messages())
