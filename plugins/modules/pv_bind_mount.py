#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pv_bind_mount
short_description: Bind-mount a Minishift PersistentVolume directory with a chosen mount propagation
version_added: 0.1.0
description:
  - Ensures I(path) is a bind mount (of itself, or of I(src)) whose mount propagation is I(propagation),
    like the FfDL tutorial's C(mount --bind --make-rshared) of C(pv0001) on Minishift. On OpenShift 3.11's
    C(oc cluster up) the kubelet runs in a container and sub-path mounts of a host-path volume only reach it
    when the host directory is a shared mount.
  - Decides from C(/proc/self/mountinfo), which, unlike M(ansible.posix.mount), shows the propagation.
  - With I(persistent=true) also keeps an C(/etc/fstab) entry carrying the propagation option, which mount(8)
    applies at boot.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  path:
    description: The mount point, normally the directory of the PersistentVolume FfDL's static volume binds.
    type: path
    default: /var/lib/minishift/base/openshift.local.pv/pv0001
  src:
    description: Directory to bind onto I(path). Defaults to I(path) itself (a bind mount onto itself).
    type: path
  propagation:
    description:
      - Mount propagation of the bind mount. The C(r) variants also apply to, and are checked on, mounts below I(path).
    type: str
    default: rshared
    choices: [shared, rshared, slave, rslave, private, rprivate, unbindable, runbindable]
  state:
    description:
      - C(mounted) makes the bind mount and sets its propagation; C(unmounted) removes the bind mount
        (never the directory or its content).
    type: str
    default: mounted
    choices: [mounted, unmounted]
  persistent:
    description:
      - Keep an fstab entry (C(<src> <path> none bind,<propagation> 0 0)) for I(state=mounted), or remove the
        entry for I(path) for I(state=unmounted). When false, fstab is not touched.
    type: bool
    default: false
  fstab:
    description: The fstab file.
    type: path
    default: /etc/fstab
  create:
    description: Create I(path) (mode 0777, as cluster-up makes PV directories) when it is missing.
    type: bool
    default: false
extends_documentation_fragment:
  - ffdl.platform.attributes
notes:
  - Needs root (CAP_SYS_ADMIN) for real changes.
  - A mount of something else at I(path) is left alone and fails the task.
seealso:
  - module: ansible.posix.mount
"""

EXAMPLES = r"""
- name: Make pv0001 an rshared bind mount of itself, as the FfDL tutorial does
  ffdl.platform.pv_bind_mount:
    path: /var/lib/minishift/base/openshift.local.pv/pv0001
    propagation: rshared
    persistent: true
  notify: restart minishift

- name: Remove the bind mount and its fstab entry (the data stays)
  ffdl.platform.pv_bind_mount:
    path: /var/lib/minishift/base/openshift.local.pv/pv0001
    state: unmounted
    persistent: true
"""

RETURN = r"""
path:
  description: The mount point.
  returned: always
  type: str
  sample: /var/lib/minishift/base/openshift.local.pv/pv0001
src:
  description: The bound directory.
  returned: always
  type: str
  sample: /var/lib/minishift/base/openshift.local.pv/pv0001
mounted_before:
  description: Whether the bind mount existed before the task.
  returned: always
  type: bool
mounted_after:
  description: Whether the bind mount exists after the task (predicted in check mode).
  returned: always
  type: bool
propagation_before:
  description: Propagation of the mount at I(path) before the task, as mountinfo shows it; null when not mounted.
  returned: always
  type: str
  sample: private
propagation_after:
  description: Propagation after the task (predicted in check mode); null when not mounted.
  returned: always
  type: str
  sample: shared
fstab_changed:
  description: Whether the fstab entry was (or in check mode would be) changed.
  returned: always
  type: bool
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ffdl.platform.plugins.module_utils.mountinfo import (
    escape,
    expected_bind_origin,
    read_mountinfo,
    submounts,
    top_mount_at,
    unescape,
)

WANTED = {
    "shared": lambda p: "shared" in p.split(","),
    "slave": lambda p: p == "slave",
    "private": lambda p: p == "private",
    "unbindable": lambda p: p == "unbindable",
}


def propagation_ok(mounts, path, propagation):
    recursive = propagation.startswith("r")
    kind = propagation[1:] if recursive else propagation
    at = top_mount_at(mounts, path)
    if at is None or not WANTED[kind](at.propagation):
        return False
    if recursive:
        return all(WANTED[kind](m.propagation) for m in submounts(mounts, path))
    return True


def bind_state(mounts, src, path):
    """'absent', 'bound' (our bind mount is there) or 'foreign' (something else is mounted at path)."""
    at = top_mount_at(mounts, path)
    if at is None:
        return "absent", None
    origin = expected_bind_origin(mounts, src, path)
    if origin is not None and (at.device, at.root) == origin:
        return "bound", at
    return "foreign", at


def fstab_line(src, path, propagation):
    return "%s %s none bind,%s 0 0" % (escape(src), escape(path), propagation)


def desired_fstab(lines, path, wanted_line):
    """fstab lines with every entry for ``path`` replaced by ``wanted_line`` (None removes them)."""
    out = []
    placed = False
    for line in lines:
        fields = line.split()
        if fields and not fields[0].startswith("#") and len(fields) >= 2 and unescape(fields[1]) == path:
            if wanted_line is not None and not placed:
                out.append(wanted_line)
                placed = True
            continue
        out.append(line)
    if wanted_line is not None and not placed:
        out.append(wanted_line)
    return out


def describe(mounted, propagation, fstab_lines, path):
    entries = "\n".join(line for line in fstab_lines if path in unescape(line))
    return "mounted: %s\npropagation: %s\nfstab: %s\n" % (mounted, propagation, entries)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/var/lib/minishift/base/openshift.local.pv/pv0001"),
            src=dict(type="path"),
            propagation=dict(
                type="str",
                default="rshared",
                choices=["shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable"],
            ),
            state=dict(type="str", default="mounted", choices=["mounted", "unmounted"]),
            persistent=dict(type="bool", default=False),
            fstab=dict(type="path", default="/etc/fstab"),
            create=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = os.path.normpath(module.params["path"])
    src = os.path.normpath(module.params["src"] or path)
    propagation = module.params["propagation"]
    state = module.params["state"]
    fstab = module.params["fstab"]

    result = dict(changed=False, path=path, src=src, fstab_changed=False)
    mounts = read_mountinfo()
    status, at = bind_state(mounts, src, path)
    result["mounted_before"] = status == "bound"
    result["propagation_before"] = at.propagation if status == "bound" else None

    if status == "foreign":
        result["msg"] = "%s already has another mount (%s from %s, root %s); not touching it" % (
            path,
            at.fstype,
            at.source,
            at.root,
        )
        module.fail_json(**result)

    commands = []
    if state == "mounted":
        for directory in sorted({src, path}):
            if not os.path.isdir(directory):
                if module.params["create"] and directory == path:
                    commands.append(("mkdir", directory))
                else:
                    module.fail_json(msg="%s does not exist or is not a directory" % directory, **result)
        if status != "bound":
            commands.append(["--bind", src, path])
        if status != "bound" or not propagation_ok(mounts, path, propagation):
            commands.append(["--make-" + propagation, path])
    elif status == "bound":
        commands.append("umount")

    fstab_lines = []
    if os.path.exists(fstab):
        with open(fstab) as handle:
            fstab_lines = handle.read().splitlines()
    new_fstab = fstab_lines
    if module.params["persistent"]:
        wanted = fstab_line(src, path, propagation) if state == "mounted" else None
        new_fstab = desired_fstab(fstab_lines, path, wanted)
        result["fstab_changed"] = new_fstab != fstab_lines

    result["changed"] = bool(commands) or result["fstab_changed"]
    result["mounted_after"] = state == "mounted"
    result["propagation_after"] = (
        (result["propagation_before"] if not commands else propagation.lstrip("r")) if state == "mounted" else None
    )
    if module._diff:
        result["diff"] = dict(
            before=describe(result["mounted_before"], result["propagation_before"], fstab_lines, path),
            after=describe(result["mounted_after"], result["propagation_after"], new_fstab, path),
        )
    if module.check_mode or not result["changed"]:
        module.exit_json(**result)

    mount_bin = module.get_bin_path("mount", required=True)
    for command in commands:
        if isinstance(command, tuple):
            os.makedirs(command[1])
            # cluster-up makes PV directories world-writable: pods run with random UIDs
            os.chmod(command[1], 0o777)  # noqa: S103
            continue
        argv = (
            [module.get_bin_path("umount", required=True), path] if command == "umount" else [mount_bin] + list(command)
        )
        rc, out, err = module.run_command(argv)
        if rc != 0:
            module.fail_json(msg="%s failed: %s" % (" ".join(argv), (err or out).strip()), rc=rc, **result)
    if result["fstab_changed"]:
        fd, tmp = tempfile.mkstemp(dir=module.tmpdir)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(new_fstab) + "\n")
        module.atomic_move(tmp, fstab)

    mounts = read_mountinfo()
    status, at = bind_state(mounts, src, path)
    result["mounted_after"] = status == "bound"
    result["propagation_after"] = at.propagation if status == "bound" else None
    if state == "mounted" and not (status == "bound" and propagation_ok(mounts, path, propagation)):
        module.fail_json(
            msg="after mounting, %s is %s with propagation %s" % (path, status, result["propagation_after"]), **result
        )
    if state == "unmounted" and status == "bound":
        module.fail_json(msg="%s is still bind-mounted after umount" % path, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
