"""Decisions of static_volume_claim: each step follows from the cluster's state alone."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ffdl.platform.plugins.module_utils import static_volume as sv

NS = "default"


def want(**kw):
    base = dict(
        name="static-volume-1",
        namespace=NS,
        volume_name="pv0001",
        remove_volumes=["local-volume-1"],
        labels={"type": "dlaas-static-volume"},
    )
    base.update(kw)
    return sv.Want(**base)


def pv(name, policy="Recycle", claim=None, phase="Available"):
    """A PV as OpenShift 3.11's cluster-up makes them: 100Gi, RWO+RWX+ROX, label volume=<name>, no class."""
    spec = {
        "persistentVolumeReclaimPolicy": policy,
        "capacity": {"storage": "100Gi"},
        "accessModes": ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"],
    }
    if claim:
        spec["claimRef"] = {"namespace": NS, "name": claim[0], "uid": claim[1]}
    return {"metadata": {"name": name, "labels": {"volume": name}}, "spec": spec, "status": {"phase": phase}}


def chart_claim(uid="uid-chart", bound_to="local-volume-1"):
    """static-volume-1 as FfDL's ffdl-helper chart makes it (no selector)."""
    return {
        "metadata": {
            "name": "static-volume-1",
            "uid": uid,
            "labels": {"type": "dlaas-static-volume"},
            "annotations": {sv.STORAGE_CLASS_ANNOTATION: ""},
        },
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "20Gi"}},
            "volumeName": bound_to,
        },
        "status": {"phase": "Bound"},
    }


def wanted_claim(uid="uid-ours", phase="Bound"):
    claim = want().claim()
    claim["metadata"]["uid"] = uid
    claim["spec"]["volumeName"] = "pv0001"
    claim["status"] = {"phase": phase}
    return claim


def converge(state, w, limit=20):
    steps = []
    for _step in range(limit):
        action = sv.next_action(state, w)
        if action is None:
            return steps, state
        steps.append(action[0])
        state = sv.simulate(state, action, w)
    raise AssertionError(f"no convergence: {steps}")


def test_the_tutorial_rewrite_from_the_chart_state():
    state = sv.State(
        claim=chart_claim(),
        volume=pv("pv0001"),
        removals={"local-volume-1": pv("local-volume-1", "Delete", ("static-volume-1", "uid-chart"), "Bound")},
        claim_refs={"uid-chart": True},
    )
    steps, final = converge(state, want())
    assert steps == ["retain_volume", "delete_claim", "delete_volume", "create_claim", "ensure_configmap"]
    assert final.claim["spec"]["selector"] == {"matchLabels": {"volume": "pv0001"}}
    assert final.volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"


def test_converged_state_needs_nothing():
    w = want()
    state = sv.State(
        claim=wanted_claim(),
        volume=pv("pv0001", "Retain", ("static-volume-1", "uid-ours"), "Bound"),
        removals={"local-volume-1": None},
        configmap={
            "data": {
                "PVCs-v2.yaml": (
                    "static-volumes-v2:\n- name: static-volume-1\n  zlabel: static-volume-1\n  status: active\n"
                )
            }
        },
        claim_refs={"uid-ours": True},
    )
    assert sv.next_action(state, w) is None


def test_interrupted_after_the_claim_was_deleted():
    # the old claim is gone; pv0001 was bound to a claim of an earlier run and is Released
    state = sv.State(
        claim=None,
        volume=pv("pv0001", "Retain", ("static-volume-1", "uid-old"), "Released"),
        removals={"local-volume-1": pv("local-volume-1", "Delete", ("static-volume-1", "uid-chart"), "Released")},
        claim_refs={"uid-old": False, "uid-chart": False},
    )
    steps, _final = converge(state, want())
    assert steps == ["delete_volume", "free_volume", "create_claim", "ensure_configmap"]


def test_a_terminating_claim_is_waited_for():
    claim = chart_claim()
    claim["metadata"]["deletionTimestamp"] = "2026-11-28T00:00:00Z"
    state = sv.State(claim=claim, volume=pv("pv0001", "Retain"), claim_refs={"uid-chart": True})
    assert sv.next_action(state, want())[0] == "wait_claim_gone"


def test_pods_using_the_claim_block_the_rewrite_unless_forced():
    state = sv.State(claim=chart_claim(), volume=pv("pv0001", "Retain"), pods=["learner-abc-0"])
    with pytest.raises(sv.Refused, match="learner-abc-0"):
        sv.next_action(state, want())
    assert sv.next_action(state, want(force=True))[0] == "delete_claim"


def test_target_bound_to_someone_else_is_refused():
    state = sv.State(
        claim=None, volume=pv("pv0001", "Retain", ("other", "uid-other"), "Bound"), claim_refs={"uid-other": True}
    )
    with pytest.raises(sv.Refused, match="bound to default/other"):
        sv.next_action(state, want())


def test_missing_target_volume_is_refused():
    with pytest.raises(sv.Refused, match="pv0001 does not exist"):
        sv.next_action(sv.State(), want())


def test_removal_bound_to_a_live_foreign_claim_is_refused():
    state = sv.State(
        claim=None,
        volume=pv("pv0001", "Retain"),
        removals={"local-volume-1": pv("local-volume-1", "Delete", ("someone", "uid-x"), "Bound")},
        claim_refs={"uid-x": True},
    )
    with pytest.raises(sv.Refused, match="local-volume-1 is bound"):
        sv.next_action(state, want())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda c: c["spec"].update(accessModes=["ReadWriteOnce"]), "access modes"),
        (lambda c: c["spec"]["resources"]["requests"].update(storage="10Gi"), "size"),
        (lambda c: c["metadata"]["labels"].pop("type"), "label type"),
        (lambda c: c["metadata"]["annotations"].update({sv.STORAGE_CLASS_ANNOTATION: "gold"}), "storage class"),
        (lambda c: c["spec"].update(selector={"matchLabels": {"volume": "pv0002"}}), "selector"),
        (lambda c: c["spec"].update(volumeName="pv0002"), "bound to pv0002"),
    ],
)
def test_claim_differences(change, reason):
    claim = wanted_claim()
    change(claim)
    assert any(reason in r for r in sv.claim_differences(claim, want()))


def test_same_size_in_other_units_is_equal():
    claim = wanted_claim()
    claim["spec"]["resources"]["requests"]["storage"] = "20480Mi"
    assert sv.claim_differences(claim, want()) == []


def test_absent_deletes_claim_and_configmap_and_keeps_the_volume():
    state = sv.State(
        claim=wanted_claim(),
        volume=pv("pv0001", "Recycle", ("static-volume-1", "uid-ours"), "Bound"),
        configmap={"data": {}},
        claim_refs={"uid-ours": True},
    )
    steps, final = converge(state, want(state="absent"))
    assert steps == ["retain_volume", "delete_claim", "delete_configmap"]
    assert final.volume is not None


def test_configmap_content_compares_parsed_yaml():
    w = want()
    flow = {
        "data": {
            "PVCs-v2.yaml": "{static-volumes-v2: [{name: static-volume-1, zlabel: static-volume-1, status: active}]}"
        }
    }
    assert not sv.configmap_differs(flow, w)
    assert sv.configmap_differs({"data": {"PVCs-v2.yaml": ": not yaml :"}}, w)
    assert sv.configmap_differs(None, w)


def test_quantity():
    assert sv.quantity("20Gi") == 20 * 2**30
    assert sv.quantity("1G") == 10**9
    assert sv.quantity("1.5Gi") == int(1.5 * 2**30)
    for bad in ("garbage", "1.2.3Gi", "20 Gi", "20gi", "-1Gi", "20GiB", "", "Gi", "1m"):
        assert sv.quantity(bad) is None, bad


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"spec": {"capacity": {"storage": "10Gi"}}}, "capacity 10Gi is less than the claim's 20Gi"),
        ({"spec": {"accessModes": ["ReadWriteOnce"]}}, "lack ReadWriteMany"),
        ({"spec": {"storageClassName": "fast"}}, "storage class is 'fast'"),
        ({"metadata": {"labels": {"volume": "pv0009"}}}, "lacks the label volume=pv0001"),
    ],
)
def test_unsuitable_target_is_refused_before_anything_changes(change, problem):
    """The chart's claim stays, the Recycle policy is not even patched: nothing happens."""
    volume = pv("pv0001")
    for part, values in change.items():
        volume[part].update(values)
    state = sv.State(claim=chart_claim(), volume=volume, removals={"local-volume-1": pv("local-volume-1", "Delete")})
    with pytest.raises(sv.Refused, match=problem) as refused:
        sv.next_action(state, want())
    assert "nothing was changed" in str(refused.value)


def test_target_of_another_claim_is_not_even_patched():
    foreign = pv("pv0001", "Recycle", ("other", "uid-other"), "Bound")
    state = sv.State(claim=chart_claim(), volume=foreign, claim_refs={"uid-other": True})
    with pytest.raises(sv.Refused, match="bound to default/other; nothing was changed"):
        sv.next_action(state, want())
    # removing our claim does not patch someone else's volume either
    absent = sv.State(claim=chart_claim(), volume=foreign, claim_refs={"uid-other": True})
    assert sv.next_action(absent, want(state="absent"))[0] == "delete_claim"


def test_removal_bound_elsewhere_is_refused_before_the_claim_goes():
    removals = {"local-volume-1": pv("local-volume-1", "Delete", ("other", "uid-other"), "Bound")}
    state = sv.State(claim=chart_claim(), volume=pv("pv0001"), removals=removals, claim_refs={"uid-other": True})
    with pytest.raises(sv.Refused, match="local-volume-1 is bound to default/other"):
        sv.next_action(state, want())
