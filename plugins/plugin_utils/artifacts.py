# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The artifact lock and the offline bundle: what a run downloads, and a single archive holding all of it.

Controller side only (lookup ffdl.platform.artifact, action ffdl.platform.bundle, playbooks/lock.yml and
playbooks/bundle.yml through scripts/artifacts.py). The lock file (meta/artifacts.lock.yml) names every
artifact the roles download: where it comes from, its size and checksum, or null while unresolved. A
bundle is a directory (or an uncompressed tar of one) holding every locked artifact, the lock it was built
from and ``bundle.json``, the digest of each file in it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import tarfile

import yaml

from ansible_collections.ffdl.platform.plugins.module_utils.download import file_digest

LOCK_VERSION = 1
KINDS = ("file", "image", "git", "packages", "python")
# The directory of every member of a bundle archive, and its index
BUNDLE_TOP = "ffdl-bundle"
BUNDLE_INDEX = "bundle.json"
BUNDLE_LOCK = "artifacts.lock.yml"
HEX = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
DIGEST_REF = re.compile(r"^sha256:[0-9a-f]{64}$")

DEFAULT_LOCK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "meta", "artifacts.lock.yml")


class LockError(Exception):
    """The lock file or the bundle is not what it must be; the message names the entry."""


def parse_checksum(text):
    """``algo:hex`` to (algo, hex), or None when missing or malformed."""
    if not text or ":" not in str(text):
        return None
    algo, _sep, digest = str(text).partition(":")
    algo, digest = algo.lower(), digest.lower()
    if algo not in HEX or not re.match(r"^[0-9a-f]{%d}$" % HEX[algo], digest):
        return None
    return algo, digest


def entry_files(entry):
    """The files an entry brings into a bundle, each with its own checksum (``None`` when unresolved).

    A file: itself. An image: one docker-archive tarball (its checksum is the bundle's own, the image is
    checked by ``image_id``). A git repository: one tarball of a bare clone holding ``commit``. Packages and
    Python packages: each file of the set.
    """
    kind = entry["kind"]
    if kind == "file":
        return [{"path": "files/%s/%s" % (entry["name"], entry["filename"]), "checksum": entry.get("checksum")}]
    if kind == "image":
        return [{"path": "images/%s.tar" % entry["name"], "checksum": None}]
    if kind == "git":
        return [{"path": "git/%s.git.tar" % entry["name"], "checksum": None}]
    return [
        {"path": "%s/%s/%s" % (kind, entry["name"], item["filename"]), "checksum": item.get("checksum")}
        for item in entry.get("files") or []
    ]


def unresolved(entry):
    """What keeps ``entry`` from being built into a bundle (empty when it is resolved)."""
    kind = entry["kind"]
    if kind == "file":
        return [] if parse_checksum(entry.get("checksum")) else ["checksum"]
    if kind == "image":
        return [key for key in ("digest", "image_id") if not DIGEST_REF.match(str(entry.get(key) or ""))]
    if kind == "git":
        return [] if re.match(r"^[0-9a-f]{40}$", str(entry.get("commit") or "")) else ["commit"]
    files = entry.get("files")
    if not files:
        return ["files"]
    return ["files[%s].checksum" % item.get("filename") for item in files if not parse_checksum(item.get("checksum"))]


def validate(lock):
    """Every problem of a lock document (a list of messages; empty when it is well-formed)."""
    problems = []
    if not isinstance(lock, dict) or lock.get("lock_version") != LOCK_VERSION:
        return ["the lock file must be a mapping with lock_version: %d" % LOCK_VERSION]
    artifacts = lock.get("artifacts")
    if not isinstance(artifacts, list) or not artifacts:
        return ["the lock file lists no artifacts"]
    seen = set()
    for index, entry in enumerate(artifacts):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = "artifacts[%d]%s" % (index, " (%s)" % name if name else "")
        if not name or not re.match(r"^[a-z0-9][a-z0-9_.-]*$", str(name)):
            problems.append("%s: needs a name of lower-case letters, digits, '.', '_' or '-'" % where)
            continue
        if name in seen:
            problems.append("%s: the name is listed twice" % where)
        seen.add(name)
        if entry.get("kind") not in KINDS:
            problems.append("%s: kind must be one of %s" % (where, ", ".join(KINDS)))
            continue
        for key in ("what", "roles"):
            if not entry.get(key):
                problems.append("%s: needs %s" % (where, key))
        kind = entry["kind"]
        if kind == "file":
            if not entry.get("url") or not entry.get("filename"):
                problems.append("%s: a file needs url and filename" % where)
            if entry.get("checksum") is not None and not parse_checksum(entry["checksum"]):
                problems.append("%s: checksum must be <md5|sha1|sha256|sha512>:<hex> or null" % where)
        elif kind == "image":
            reference = str(entry.get("reference") or "")
            if not reference or "@" in reference or ":" not in reference.rsplit("/", 1)[-1]:
                problems.append("%s: reference must be an image name with its tag (the digest goes in digest)" % where)
            for key in ("digest", "image_id"):
                value = entry.get(key)
                if value is not None and not DIGEST_REF.match(str(value)):
                    problems.append("%s: %s must be sha256:<64 hex digits> or null" % (where, key))
        elif kind == "git":
            if not entry.get("url") or not entry.get("ref"):
                problems.append("%s: a git repository needs url and ref" % where)
        else:
            if not entry.get("names"):
                problems.append("%s: a package set needs names" % where)
            for item in entry.get("files") or []:
                if not isinstance(item, dict) or not item.get("filename") or "/" in str(item.get("filename")):
                    problems.append("%s: each of files needs a filename without '/'" % where)
                elif not parse_checksum(item.get("checksum")):
                    problems.append("%s: files[%s] needs a checksum" % (where, item["filename"]))
    return problems


_LOCKS = {}


def load_lock(path=None):
    """The lock document at ``path`` (default: the collection's own), checked; cached per file and mtime."""
    path = os.path.abspath(os.path.expanduser(path or DEFAULT_LOCK))
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise LockError("cannot read the lock file %s: %s" % (path, exc)) from None
    cached = _LOCKS.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    with open(path) as handle:
        try:
            lock = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise LockError("the lock file %s is not YAML: %s" % (path, exc)) from None
    problems = validate(lock)
    if problems:
        raise LockError("the lock file %s is not valid: %s" % (path, "; ".join(problems)))
    _LOCKS[path] = (stamp, lock)
    return lock


def entries(lock):
    return dict((entry["name"], entry) for entry in lock["artifacts"])


def entry(lock, name):
    found = entries(lock).get(name)
    if found is None:
        raise LockError("the lock file names no artifact %s (it has %s)" % (name, ", ".join(sorted(entries(lock)))))
    return found


def mirror_url(entry, base=None):
    """Where to download a file entry: ``base`` (a mirror with the source's layout) joined with the entry's
    ``mirror_path``, or the entry's own URL."""
    if base and entry.get("mirror_path"):
        return base.rstrip("/") + "/" + entry["mirror_path"].lstrip("/")
    return entry["url"]


def bundle_root(path):
    """The directory a bundle's files are read from: the bundle itself when it is a directory, else where
    ffdl.platform.bundle unpacks that archive (beside it, named by its size and modification time)."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        return path
    try:
        info = os.stat(path)
    except OSError:
        info = None
    stamp = "%d-%d" % (info.st_size, int(info.st_mtime)) if info else "missing"
    return os.path.join(os.path.dirname(path), ".%s.unpacked-%s" % (os.path.basename(path), stamp), BUNDLE_TOP)


def read_index(root):
    index = os.path.join(root, BUNDLE_INDEX)
    try:
        with open(index) as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise LockError("the bundle %s has no readable %s: %s" % (root, BUNDLE_INDEX, exc)) from None


def image_archive_id(path):
    """The image ID (``sha256:<config digest>``) a docker-archive tarball loads as, read from its manifest.json."""
    with tarfile.open(path, "r:") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    config = manifest[0]["Config"]
    name = os.path.basename(config)
    name = name[: -len(".json")] if name.endswith(".json") else name
    return "sha256:" + name.split(":")[-1]


def git_archive_commit(path, ref):
    """The commit ``ref`` names in a tarball of a bare repository (its packed-refs or refs/ files)."""
    wanted = ("refs/heads/" + ref, "refs/tags/" + ref)
    with tarfile.open(path, "r:") as tar:
        for member in tar.getmembers():
            base = member.name.split("/", 1)[-1] if "/" in member.name else member.name
            if base in wanted and member.isfile():
                return tar.extractfile(member).read().decode().strip()
        for member in tar.getmembers():
            if member.name.endswith("packed-refs") and member.isfile():
                for line in tar.extractfile(member).read().decode().splitlines():
                    parts = line.split()
                    if len(parts) == 2 and parts[1] in wanted:
                        return parts[0]
    return None


def check_bundle(root, lock):
    """Compare the bundle at ``root`` with ``lock``: every file bundle.json records present with its size and
    SHA-256, and every locked artifact in it as locked (its checksum, image ID or commit). Returns the problems,
    each naming the artifact (or file) and what is wrong; empty when the bundle is whole."""
    problems = []
    index = read_index(root)
    held = index.get("files", {})
    owners = {}
    for item in lock["artifacts"]:
        for spec in entry_files(item):
            owners[spec["path"]] = item
    bad = set()
    for path in sorted(held):
        recorded = held[path]
        item = owners.get(path)
        label = "%s (%s): %s" % (item["name"], item["what"], path) if item else path
        full = os.path.join(root, path)
        if not os.path.isfile(full):
            problems.append("%s is missing from the bundle" % label)
            bad.add(path)
        elif os.path.getsize(full) != recorded.get("size"):
            problems.append(
                "%s has %d bytes, the bundle recorded %s" % (label, os.path.getsize(full), recorded.get("size"))
            )
            bad.add(path)
        elif file_digest(full) != recorded.get("sha256"):
            problems.append("%s is altered: its sha256 is not the one the bundle recorded" % label)
            bad.add(path)
    for item in lock["artifacts"]:
        if item.get("optional") and unresolved(item):
            continue  # left out of the bundle (make bundle says so); a host that needs it fails naming it
        for spec in entry_files(item):
            path, label = spec["path"], "%s (%s): %s" % (item["name"], item["what"], spec["path"])
            if path in bad:
                continue
            full = os.path.join(root, path)
            if path not in held or not os.path.isfile(full):
                problems.append("%s is missing from the bundle" % label)
                continue
            want = parse_checksum(spec["checksum"])
            if want and file_digest(full, want[0]) != want[1]:
                problems.append("%s is not the locked file (%s:%s expected)" % (label, want[0], want[1]))
            elif item["kind"] == "image" and image_archive_id(full) != item.get("image_id"):
                problems.append(
                    "%s holds image %s, the lock says %s" % (label, image_archive_id(full), item.get("image_id"))
                )
            elif item["kind"] == "git" and git_archive_commit(full, item["ref"]) != item.get("commit"):
                problems.append(
                    "%s holds %s at %s, the lock says %s"
                    % (label, item["ref"], git_archive_commit(full, item["ref"]), item.get("commit"))
                )
    return problems
