# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.namespace_report and unready_containers: what a namespace's pods and events say, as text.

For the diagnostics archive of a failed ffdl or training phase: one
``kubectl describe``-like section per pod (phase, conditions, each
container's image, readiness, restarts, state and last state, the pod's
events) and the namespace's events oldest first. Environment values, volumes'
contents and Secrets are never read, so none can reach the archive.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _event_time(event):
    return (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def _event_line(event):
    involved = event.get("involvedObject") or {}
    return "%s  %-7s %-22s %s/%s  %s%s" % (
        _event_time(event),
        event.get("type") or "",
        event.get("reason") or "",
        involved.get("kind") or "",
        involved.get("name") or "",
        (event.get("message") or "").strip(),
        " (x%d)" % event["count"] if (event.get("count") or 1) > 1 else "",
    )


def _state(state):
    if not state:
        return "-"
    kind = sorted(state)[0]
    detail = state[kind] or {}
    words = [kind]
    for key in ("reason", "exitCode", "message", "startedAt", "finishedAt"):
        if detail.get(key) not in (None, ""):
            words.append("%s=%s" % (key, detail[key]))
    return " ".join(str(word) for word in words)


def _describe(pod, events):
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    lines = [
        "Name:       %s" % meta.get("name", ""),
        "Namespace:  %s" % meta.get("namespace", ""),
        "Node:       %s" % (spec.get("nodeName") or "<none>"),
        "Labels:     %s" % ", ".join("%s=%s" % item for item in sorted((meta.get("labels") or {}).items())),
        "Phase:      %s" % status.get("phase", ""),
    ]
    if status.get("reason") or status.get("message"):
        lines.append("Reason:     %s %s" % (status.get("reason") or "", status.get("message") or ""))
    lines.append("Conditions:")
    for condition in status.get("conditions") or []:
        lines.append(
            "  %-16s %-6s %s %s"
            % (
                condition.get("type"),
                condition.get("status"),
                condition.get("reason") or "",
                condition.get("message") or "",
            )
        )
    statuses = dict((item.get("name"), item) for item in status.get("containerStatuses") or [])
    lines.append("Containers:")
    for container in spec.get("containers") or []:
        seen = statuses.get(container.get("name"), {})
        lines += [
            "  %s:" % container.get("name"),
            "    Image:        %s" % container.get("image", ""),
            "    Ready:        %s" % seen.get("ready", False),
            "    Restarts:     %s" % seen.get("restartCount", 0),
            "    State:        %s" % _state(seen.get("state")),
            "    Last State:   %s" % _state(seen.get("lastState")),
        ]
    own = [event for event in events if (event.get("involvedObject") or {}).get("name") == meta.get("name")]
    lines.append("Events:" + ("" if own else " <none>"))
    lines += ["  " + _event_line(event) for event in sorted(own, key=_event_time)]
    return "\n".join(lines)


def namespace_report(pods, events, logs=None):
    """``describe.txt`` (one section per pod), ``events.txt`` (oldest first) and, from the registered results of a
    kubernetes.core.k8s_log loop over unready_containers, ``logs/<pod>/<container>.log`` of a namespace."""
    if not isinstance(pods, list) or not isinstance(events, list):
        raise AnsibleFilterError("namespace_report takes the pods and the events, as k8s_info resources")
    ordered = sorted(pods, key=lambda pod: (pod.get("metadata") or {}).get("name", ""))
    members = {
        "describe.txt": "\n\n".join(_describe(pod, events) for pod in ordered) + "\n",
        "events.txt": "\n".join(_event_line(event) for event in sorted(events, key=_event_time)) + "\n",
    }
    for read in logs or []:
        item = read.get("item") or {}
        name = "logs/%s/%s.log" % (item.get("pod"), item.get("container"))
        if read.get("failed"):
            # a node that serves no logs (the bed's kwok) or a container that never started
            members[name] = "(no log: %s)\n" % (read.get("msg") or "the read failed")
        else:
            members[name] = read.get("log") or ""
    return members


def unready_containers(pods):
    """{pod, container} of every container that is not Ready, or of a pod that is not Running: whose logs to read."""
    if not isinstance(pods, list):
        raise AnsibleFilterError("unready_containers takes the pods, as k8s_info resources")
    found = []
    for pod in pods:
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        ready = dict((item.get("name"), item.get("ready", False)) for item in status.get("containerStatuses") or [])
        for container in (pod.get("spec") or {}).get("containers") or []:
            if status.get("phase") != "Running" or not ready.get(container.get("name"), False):
                found.append({"pod": meta.get("name"), "container": container.get("name")})
    return found


class FilterModule(object):
    def filters(self):
        return {"namespace_report": namespace_report, "unready_containers": unready_containers}
