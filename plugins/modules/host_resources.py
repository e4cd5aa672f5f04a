#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_resources
short_description: Read what a host has for Minishift and FfDL - free disk, filesystems, TCP listeners
version_added: 0.1.0
description:
  - For each path, the filesystem that holds it (or would hold it, when the path does not exist yet) - its mount
    point, type, free space, and whether Docker's C(overlay2) driver, which Minishift's CentOS drop-in selects, can
    run on it (C(d_type); on XFS it needs C(ftype=1), which CentOS 7.0 to 7.2 installers did not set).
  - The TCP ports in I(ports) and I(port_ranges) that a program listens on, with the names of those programs, read
    from C(/proc/net/tcp), C(/proc/net/tcp6) and C(/proc/<pid>/fd) (no C(ss) or C(netstat) needed).
  - For each download source of I(sources), whether what it would bring is there already (I(present_path)) and,
    when it is not, which of its URLs answer from this host - an HTTP(S) GET of one byte (C(Range)), following
    redirects; a local path or C(file://) URL must exist. An ssh or git URL is not probed.
  - Reads only; never changes anything. Used by the ffdl.platform.preflight role, one run per host.
author:
  - Ffdl Platform Maintainers (@ffdl-platform)
options:
  paths:
    description: Absolute paths whose filesystems are reported.
    type: list
    elements: path
    default: []
  ports:
    description: TCP ports whose listeners are reported.
    type: list
    elements: int
    default: []
  port_ranges:
    description: Ranges of TCP ports, as C(first-last), whose listeners are reported.
    type: list
    elements: str
    default: []
  sources:
    description:
      - Download sources, each a mapping with C(urls) (tried in order; any one answering will do), C(present_path)
        (a file whose existence means nothing is downloaded; empty for none) and C(validate_certs) (default true);
        other keys (C(what), C(variable), C(on)) are returned as given.
    type: list
    elements: dict
    default: []
  timeout:
    description: Seconds each source URL has to answer.
    type: int
    default: 15
extends_documentation_fragment:
  - ffdl.platform.proxy
  - ffdl.platform.attributes.info_module
notes:
  - Python 2.7 and 3.6 compatible, so it runs on an EL7 host under its system Python.
  - Listeners of programs in other network namespaces (containers with their own network) are not seen; those of
    host-network containers, such as OpenShift's in C(oc cluster up), are.
seealso:
  - module: ansible.builtin.setup
"""

EXAMPLES = r"""
- name: Read the disk, filesystems and listeners Minishift will use
  ffdl.platform.host_resources:
    paths: [/var/lib/minishift, /var/lib/docker]
    ports: [2376, 8443]
    port_ranges: [30000-32767]
  register: resources

- name: Show the free space under /var/lib/docker
  ansible.builtin.debug:
    msg: "{{ (resources.filesystems | selectattr('path', '==', '/var/lib/docker') | first).free_mb }} MB free"
"""

RETURN = r"""
filesystems:
  description: One entry per path of I(paths), in their order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path asked for.
      type: str
    existing:
      description: The path itself, or its nearest existing parent when it does not exist yet.
      type: str
    mount_point:
      description: The mount point of the filesystem that holds I(existing).
      type: str
    fstype:
      description: The filesystem type, as C(/proc/self/mountinfo) names it.
      type: str
      sample: xfs
    free_mb:
      description: Megabytes (MiB) free for unprivileged users (C(f_bavail)).
      type: int
    d_type:
      description: Whether directory entries carry their type, as C(overlay2) needs; null when it could not be read.
      type: bool
    d_type_reason:
      description: How I(d_type) was decided.
      type: str
      sample: xfs_info reports ftype=1
  sample:
    - path: /var/lib/docker
      existing: /var/lib
      mount_point: /
      fstype: ext4
      free_mb: 70656
      d_type: true
      d_type_reason: ext4 always records the type
listeners:
  description: One entry per listening socket on a port asked for.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The TCP port.
      type: int
    address:
      description: The local address, C(0.0.0.0) or C(::) for every address.
      type: str
    programs:
      description: Names (C(/proc/<pid>/comm)) of the processes holding the socket; empty when none could be read.
      type: list
      elements: str
  sample:
    - port: 8443
      address: 0.0.0.0
      programs: [openshift]
sources:
  description: One entry per source of I(sources), as given, with what was found.
  returned: always
  type: list
  elements: dict
  contains:
    present:
      description: Whether I(present_path) exists (then the URLs are not asked).
      type: bool
    probed:
      description: Whether any URL could be asked (false for ssh and git URLs only).
      type: bool
    answered:
      description: The URLs that answered.
      type: list
      elements: str
    errors:
      description: C(<url> - <why>) for each URL that did not answer.
      type: list
      elements: str
  sample:
    - what: Helm release archive
      urls: [https://get.helm.sh/helm-v2.17.0-linux-amd64.tar.gz]
      present_path: /usr/local/bin/helm
      present: false
      probed: true
      answered: [https://get.helm.sh/helm-v2.17.0-linux-amd64.tar.gz]
      errors: []
"""

import binascii
import os
import re
import socket
import struct

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import open_url
from ansible_collections.ffdl.platform.plugins.module_utils.download import PROXY_ARGS, proxy_environment
from ansible_collections.ffdl.platform.plugins.module_utils.mountinfo import containing_mount, read_mountinfo

TCP_LISTEN = "0A"
# filesystems that always record the entry type; overlay cannot hold an overlay2 upper directory
ALWAYS_D_TYPE = ("ext4", "ext3", "ext2", "btrfs", "tmpfs", "f2fs", "zfs")
FTYPE = re.compile(r"ftype=([01])")


def nearest_existing(path):
    path = os.path.abspath(path)
    while not os.path.exists(path) and path != "/":
        path = os.path.dirname(path)
    return path


def d_type_of(module, fstype, mount_point):
    """(d_type, reason) of a filesystem as overlay2 sees it."""
    if fstype in ALWAYS_D_TYPE:
        return True, "%s always records the type" % fstype
    if fstype == "overlay":
        return False, "overlay2 cannot run on an overlay filesystem"
    if fstype == "xfs":
        xfs_info = module.get_bin_path("xfs_info")
        if xfs_info is None:
            return None, "xfs_info is not installed (xfsprogs)"
        rc, out, err = module.run_command([xfs_info, mount_point])
        found = FTYPE.search(out)
        if rc != 0 or not found:
            return None, "xfs_info %s gave no ftype: %s" % (mount_point, (err or out).strip()[:200])
        return found.group(1) == "1", "xfs_info reports ftype=%s" % found.group(1)
    return None, "%s: not known to this check" % fstype


def filesystem(module, mounts, path):
    existing = nearest_existing(path)
    mount = containing_mount(mounts, existing)
    stats = os.statvfs(existing)
    mount_point = mount.mount_point if mount is not None else "/"
    fstype = mount.fstype if mount is not None else "unknown"
    d_type, reason = d_type_of(module, fstype, mount_point)
    return {
        "path": path,
        "existing": existing,
        "mount_point": mount_point,
        "fstype": fstype,
        "free_mb": int(stats.f_bavail * stats.f_frsize // (1024 * 1024)),
        "d_type": d_type,
        "d_type_reason": reason,
    }


def parse_ranges(module, ranges):
    parsed = []
    for text in ranges:
        found = re.match(r"^\s*([0-9]+)\s*-\s*([0-9]+)\s*$", text)
        if not found or int(found.group(1)) > int(found.group(2)):
            module.fail_json(msg="port_ranges: %r is not first-last (for example 30000-32767)" % text)
        parsed.append((int(found.group(1)), int(found.group(2))))
    return parsed


def address_of(hex_address):
    """The text of /proc/net/tcp's little-endian hex address (IPv4 8 digits, IPv6 32)."""
    raw = binascii.unhexlify(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0]))
    words = struct.unpack(">4I", raw)
    return socket.inet_ntop(socket.AF_INET6, struct.pack("<4I", *words))


def listening_sockets(proc="/proc"):
    """(inode, address, port) of every listening TCP socket of this network namespace."""
    found = []
    for name in ("tcp", "tcp6"):
        path = os.path.join(proc, "net", name)
        if not os.path.exists(path):
            continue
        with open(path) as handle:
            lines = handle.read().splitlines()[1:]
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != TCP_LISTEN:
                continue
            hex_address, hex_port = fields[1].split(":")
            found.append((fields[9], address_of(hex_address), int(hex_port, 16)))
    return found


def programs_by_inode(inodes, proc="/proc"):
    """inode -> sorted names of the processes that hold that socket."""
    wanted = dict(("socket:[%s]" % inode, inode) for inode in inodes)
    holders = dict((inode, set()) for inode in inodes)
    for pid in (entry for entry in os.listdir(proc) if entry.isdigit()):
        fd_dir = os.path.join(proc, pid, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target in wanted:
                try:
                    with open(os.path.join(proc, pid, "comm")) as handle:
                        holders[wanted[target]].add(handle.read().strip())
                except (IOError, OSError):
                    pass
    return dict((inode, sorted(names)) for inode, names in holders.items())


def listeners(ports, ranges, proc="/proc"):
    def asked(port):
        return port in ports or any(first <= port <= last for first, last in ranges)

    sockets = [entry for entry in listening_sockets(proc) if asked(entry[2])]
    holders = programs_by_inode([inode for inode, _address, _port in sockets], proc)
    return sorted(
        ({"port": port, "address": address, "programs": holders.get(inode, [])} for inode, address, port in sockets),
        key=lambda entry: (entry["port"], entry["address"]),
    )


def probeable(url):
    return url.startswith(("http://", "https://", "file://", "/"))


def url_answers(url, timeout, validate_certs):
    """(answered, why not) of one source URL, asked for its first byte only."""
    if not url.startswith(("http://", "https://")):
        path = url[len("file://") :] if url.startswith("file://") else url
        return (True, "") if os.path.exists(path) else (False, "%s does not exist here" % path)
    try:
        response = open_url(
            url,
            method="GET",
            headers={"Range": "bytes=0-0"},
            timeout=timeout,
            validate_certs=validate_certs,
            follow_redirects="all",
        )
        status = response.getcode()
        response.close()
    except Exception as error:  # any reason a source does not answer is an answer
        return False, to_native(error)
    return (True, "") if status in (200, 206) else (False, "HTTP %s" % status)


def probe_source(source, timeout):
    found = dict(source, present=False, probed=False, answered=[], errors=[])
    present_path = source.get("present_path") or ""
    if present_path and os.path.exists(present_path):
        found["present"] = True
        return found
    for url in source.get("urls") or []:
        if not probeable(url):
            continue
        found["probed"] = True
        answered, why = url_answers(url, timeout, source.get("validate_certs", True) is not False)
        if answered:
            found["answered"].append(url)
            break
        found["errors"].append("%s - %s" % (url, why))
    return found


def main():
    argument_spec = dict(
        paths=dict(type="list", elements="path", default=[]),
        ports=dict(type="list", elements="int", default=[]),
        port_ranges=dict(type="list", elements="str", default=[]),
        sources=dict(type="list", elements="dict", default=[]),
        timeout=dict(type="int", default=15),
    )
    argument_spec.update(PROXY_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )
    relative = [path for path in module.params["paths"] if not os.path.isabs(path)]
    if relative:
        module.fail_json(msg="paths: %s not absolute" % ", ".join(relative))
    ranges = parse_ranges(module, module.params["port_ranges"])
    with proxy_environment(module.params):
        probed = [probe_source(source, module.params["timeout"]) for source in module.params["sources"]]
    mounts = read_mountinfo() if module.params["paths"] else []
    module.exit_json(
        changed=False,
        filesystems=[filesystem(module, mounts, path) for path in module.params["paths"]],
        listeners=listeners(set(module.params["ports"]), ranges) if module.params["ports"] or ranges else [],
        sources=probed,
    )


if __name__ == "__main__":
    main()
