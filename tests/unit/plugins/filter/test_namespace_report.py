"""namespace_report and unready_containers: a namespace's pods and events as text, nothing secret in it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ffdl.platform.plugins.filter.namespace_report import namespace_report, unready_containers

LCM = {
    "metadata": {"name": "ffdl-lcm-7d9f", "namespace": "myproject", "labels": {"service": "ffdl-lcm"}},
    "spec": {
        "nodeName": "vm",
        "containers": [
            {"name": "ffdl-lcm", "image": "ffdl/lcm:v0.1.1", "env": [{"name": "MONGO_PASSWORD", "value": "s3cr3t"}]}
        ],
    },
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [
            {
                "name": "ffdl-lcm",
                "ready": False,
                "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1}},
            }
        ],
    },
}
UI = {
    "metadata": {"name": "ffdl-ui-1", "namespace": "myproject"},
    "spec": {"containers": [{"name": "ffdl-ui", "image": "ffdl/ui"}]},
    "status": {"phase": "Running", "containerStatuses": [{"name": "ffdl-ui", "ready": True, "state": {"running": {}}}]},
}
EVENTS = [
    {
        "involvedObject": {"kind": "Pod", "name": "ffdl-lcm-7d9f"},
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "count": 9,
        "lastTimestamp": "2026-12-03T07:02:00Z",
    },
    {
        "involvedObject": {"kind": "Pod", "name": "ffdl-ui-1"},
        "type": "Normal",
        "reason": "Scheduled",
        "message": "Successfully assigned myproject/ffdl-ui-1 to vm",
        "lastTimestamp": "2026-12-03T07:00:00Z",
    },
]


def test_each_pod_is_described_with_its_containers_state_and_events():
    report = namespace_report([UI, LCM], EVENTS)
    describe = report["describe.txt"]
    assert describe.index("Name:       ffdl-lcm-7d9f") < describe.index("Name:       ffdl-ui-1")
    assert "State:        waiting reason=CrashLoopBackOff message=back-off 40s" in describe
    assert "Last State:   terminated reason=Error exitCode=1" in describe
    assert "Restarts:     4" in describe
    assert "BackOff                Pod/ffdl-lcm-7d9f  Back-off restarting failed container (x9)" in describe
    # environment values never reach the text
    assert "s3cr3t" not in describe and "MONGO_PASSWORD" not in describe


def test_events_are_listed_oldest_first():
    lines = namespace_report([UI, LCM], EVENTS)["events.txt"].splitlines()
    assert [line.split()[2] for line in lines] == ["Scheduled", "BackOff"]


def test_the_containers_not_ready_are_those_whose_logs_are_read():
    assert unready_containers([UI, LCM]) == [{"pod": "ffdl-lcm-7d9f", "container": "ffdl-lcm"}]
    pending = dict(UI, status={"phase": "Pending"})
    assert unready_containers([pending]) == [{"pod": "ffdl-ui-1", "container": "ffdl-ui"}]


def test_a_log_that_cannot_be_read_says_why():
    logs = [
        {"item": {"pod": "ffdl-lcm-7d9f", "container": "ffdl-lcm"}, "log": "panic: mongo unreachable\n"},
        {"item": {"pod": "ffdl-ui-1", "container": "ffdl-ui"}, "failed": True, "msg": "the node serves no logs"},
    ]
    report = namespace_report([UI, LCM], EVENTS, logs)
    assert report["logs/ffdl-lcm-7d9f/ffdl-lcm.log"] == "panic: mongo unreachable\n"
    assert report["logs/ffdl-ui-1/ffdl-ui.log"] == "(no log: the node serves no logs)\n"
