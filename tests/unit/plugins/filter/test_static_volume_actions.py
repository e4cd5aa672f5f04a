"""static_volume_actions: the module's planner on objects one k8s_diff run read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.static_volume_actions import static_volume_actions

OPTIONS = {
    "name": "static-volume-1",
    "namespace": "ffdl",
    "volume_name": "pv0001",
    "size": "20Gi",
    "storage_class": "",
    "remove_volumes": ["local-volume-1"],
    "force": "False",
}
CLAIM = {
    "metadata": {
        "name": "static-volume-1",
        "namespace": "ffdl",
        "uid": "c1",
        "labels": {"type": "dlaas-static-volume"},
        "annotations": {"volume.beta.kubernetes.io/storage-class": ""},
    },
    "spec": {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "20Gi"}},
        "selector": {"matchLabels": {"volume": "pv0001"}},
        "storageClassName": "",
        "volumeName": "pv0001",
    },
    "status": {"phase": "Bound"},
}
VOLUME = {
    "metadata": {"name": "pv0001", "labels": {"volume": "pv0001"}},
    "spec": {
        "accessModes": ["ReadWriteOnce", "ReadWriteMany"],
        "capacity": {"storage": "100Gi"},
        "persistentVolumeReclaimPolicy": "Retain",
        "claimRef": {"name": "static-volume-1", "namespace": "ffdl", "uid": "c1"},
    },
    "status": {"phase": "Bound"},
}
CONFIGMAP = {
    "metadata": {"name": "static-volumes-v2"},
    "data": {
        "PVCs-v2.yaml": "static-volumes-v2:\n- name: static-volume-1\n  zlabel: static-volume-1\n  status: active\n"
    },
}


def found(*objects):
    return {"api_found": True, "resources": [copy.deepcopy(o) for o in objects]}


def converged():
    return {
        "claim": found(CLAIM),
        "volume": found(VOLUME),
        "configmap": found(CONFIGMAP),
        "pods": found(),
        "remove:local-volume-1": found(),
    }


def test_a_converged_claim_needs_nothing():
    assert static_volume_actions(converged(), OPTIONS) == []


def test_drift_is_the_modules_next_step():
    named = converged()
    named["claim"] = found()
    # the claim deleted by hand: its PV still names it, so the first step frees the PV
    assert static_volume_actions(named, OPTIONS) == ["clear the stale claimRef of PersistentVolume pv0001"]
    named = converged()
    named["volume"]["resources"][0]["spec"]["persistentVolumeReclaimPolicy"] = "Recycle"
    assert static_volume_actions(named, OPTIONS)[0].startswith("set reclaim policy Retain on PersistentVolume pv0001")
    named = converged()
    named["remove:local-volume-1"] = found({"metadata": {"name": "local-volume-1"}, "spec": {}})
    assert static_volume_actions(named, OPTIONS) == ["delete PersistentVolume local-volume-1"]


def test_what_the_reads_cannot_decide_is_left_to_the_module():
    named = converged()
    named["volume"]["resources"][0]["spec"]["claimRef"] = {"name": "other", "namespace": "x", "uid": "o1"}
    assert static_volume_actions(named, OPTIONS) == ["read again"]
    named = converged()
    named["volume"] = found()  # the PV is gone: the module refuses, naming it
    assert static_volume_actions(named, OPTIONS) == ["read again"]
    del named["configmap"]
    assert static_volume_actions(named, OPTIONS) == ["read again"]


def test_unknown_options_are_an_error():
    with pytest.raises(AnsibleFilterError, match="unknown options wait"):
        static_volume_actions(converged(), dict(OPTIONS, wait=1))
