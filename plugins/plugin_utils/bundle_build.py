# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Refresh the lock from the sources, build the offline bundle from the lock, unpack and check a bundle.

Controller side only (actions ffdl.platform.artifacts_lock, ffdl.platform.artifacts_bundle and
ffdl.platform.bundle). Every download goes through plugin_utils.fetch, with the proxy the inventory names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import yaml

from ansible_collections.ffdl.platform.plugins.plugin_utils import artifacts, fetch


class Options(object):
    """Where the sources are read: mirrors by lock entry name (a base URL, or a list tried in order), registry
    endpoints by registry name, the proxy, and a log callback."""

    def __init__(self, mirrors=None, registries=None, proxies=None, no_proxy=None, timeout=120, log=None):
        self.mirrors = mirrors or {}
        self.registries = registries or {}
        self.proxies = proxies or {}
        self.no_proxy = no_proxy or []
        self.timeout = timeout
        self.log = log or (lambda message: None)


def file_urls(entry, options):
    """The URLs a file entry is read from: its mirrors (in order), else its own URL."""
    bases = options.mirrors.get(entry["name"])
    if not bases:
        return [entry["url"]]
    if not isinstance(bases, (list, tuple)):
        bases = [bases]
    return [artifacts.mirror_url(entry, base) for base in bases]


def _published_sha256(url, filename, options, published="sha256-file"):
    """The SHA-256 the source publishes for ``url``: ``<url>.sha256`` (a bare digest, Minishift's and Helm's), or a
    sha256sum-style file of that name beside it (OpenShift's client tools: CHECKSUM)."""
    where = url + ".sha256" if published == "sha256-file" else url.rsplit("/", 1)[0] + "/" + published
    text = fetch.read_text(where, options.proxies, options.no_proxy, options.timeout)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        match = re.search(r"\b([0-9a-fA-F]{64})\b", line)
        if match and (len(lines) == 1 or filename in line):
            return match.group(1).lower()
    raise fetch.FetchError("%s holds no SHA-256 for %s" % (where, filename))


def fetch_file(entry, dest, options):
    """Download a file entry into ``dest`` from the first URL that gives the locked (or published) bytes.
    Returns (sha256, size, url)."""
    want = artifacts.parse_checksum(entry.get("checksum"))
    errors = []
    for url in file_urls(entry, options):
        algos = ("sha256",) + ((want[0],) if want and want[0] != "sha256" else ())
        try:
            digests, size = fetch.download(url, dest, options.proxies, options.no_proxy, options.timeout, algos)
            if want and digests[want[0]] != want[1]:
                raise fetch.FetchError("%s gave %s:%s, not the locked %s:%s" % (url, want[0], digests[want[0]], *want))
            if not want and entry.get("published_checksum"):
                published = _published_sha256(url, entry["filename"], options, entry["published_checksum"])
                if published != digests["sha256"]:
                    raise fetch.FetchError(
                        "%s gave sha256 %s, its published checksum (%s) says %s"
                        % (url, digests["sha256"], entry["published_checksum"], published)
                    )
            return digests["sha256"], size, url
        except fetch.FetchError as exc:
            errors.append(str(exc))
            if os.path.exists(dest):
                os.unlink(dest)
    raise fetch.FetchError("%s (%s): %s" % (entry["name"], entry["what"], "; ".join(errors)))


def registry_endpoint(reference, options):
    registry = fetch.parse_reference(reference)[0]
    return options.registries.get(registry)


def git_commit(url, ref, options):
    """The commit ``ref`` names in the repository at ``url`` (git ls-remote)."""
    proc = subprocess.run(
        ["git", "ls-remote", url, "refs/heads/%s" % ref, "refs/tags/%s" % ref],
        capture_output=True,
        text=True,
        env=_git_env(options, url),
        check=False,
    )
    lines = [line.split() for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise fetch.FetchError(
            "git ls-remote %s %s: %s" % (fetch._safe(url), ref, proc.stderr.strip() or "no such ref")
        )
    return lines[0][0]


def _git_env(options, url):
    """git's environment: the caller's, with the proxy (as git's own http.proxy through a config file for
    credentials) only when the URL is not covered by no_proxy."""
    env = dict(os.environ)
    proxy = options.proxies.get("https") or options.proxies.get("http")
    host = fetch.urlparse(url).hostname
    if proxy and host and not fetch.no_proxy_match(host, options.no_proxy):
        handle, path = tempfile.mkstemp(prefix="gitconfig.")
        with os.fdopen(handle, "w") as config:
            config.write("[http]\n\tproxy = %s\n" % proxy)
        env["GIT_CONFIG_GLOBAL"] = path
    return env


def git_bundle_tar(entry, dest, options, url=None):
    """A tarball of a bare clone of ``entry``'s repository holding its ref at the locked commit."""
    url = url or options.mirrors.get(entry["name"]) or entry["url"]
    work = tempfile.mkdtemp(prefix="git.")
    try:
        bare = os.path.join(work, entry["name"] + ".git")
        env = _git_env(options, url)
        subprocess.run(
            ["git", "clone", "--quiet", "--bare", "--single-branch", "--branch", entry["ref"], url, bare],
            check=True,
            capture_output=True,
            env=env,
        )
        head = subprocess.run(
            ["git", "-C", bare, "rev-parse", "refs/heads/" + entry["ref"]], capture_output=True, text=True, check=True
        ).stdout.strip()
        if entry.get("commit") and head != entry["commit"]:
            raise fetch.FetchError(
                "%s: %s is at %s in %s, the lock says %s"
                % (entry["name"], entry["ref"], head, fetch._safe(url), entry["commit"])
            )
        subprocess.run(["git", "-C", bare, "pack-refs", "--all"], check=True)
        tmp = dest + ".part"
        with tarfile.open(tmp, "w") as tar:
            tar.add(bare, arcname=entry["name"] + ".git", filter=_fixed_time)
        os.rename(tmp, dest)
        return head
    except subprocess.CalledProcessError as exc:
        raise fetch.FetchError(
            "%s: git failed: %s" % (entry["name"], (exc.stderr or b"").decode(errors="replace"))
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fixed_time(info):
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def pip_download(names, dest, options, python=None, no_deps=False, cwd=None):
    """``pip download`` of ``names`` (pip arguments) into ``dest`` through the index the machine is configured
    with; the proxy reaches pip through a 0600 configuration file, not its command line or environment."""
    argv = [python or sys.executable, "-m", "pip", "download", "--quiet", "--dest", dest]
    if no_deps:
        argv.append("--no-deps")
    for name in names:
        argv.extend(name.split(" ", 1) if name.startswith("-r ") else [name])
    env = dict(os.environ)
    proxy = options.proxies.get("https") or options.proxies.get("http")
    config = None
    if proxy:
        handle, config = tempfile.mkstemp(prefix="pip.", suffix=".conf")
        with os.fdopen(handle, "w") as out:
            out.write("[global]\nproxy = %s\n" % proxy)
        env["PIP_CONFIG_FILE"] = config
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    finally:
        if config:
            os.unlink(config)
    if proc.returncode != 0:
        raise fetch.FetchError("pip download %s: %s" % (" ".join(names), proc.stderr.strip()[-2000:]))


# ---------------------------------------------------------------- make lock


def resolve(lock, options, package_sets=None, workdir=None, only=None, cwd=None):
    """A copy of ``lock`` with every entry resolved from its source (or mirror). ``package_sets``: the
    resolved files of package entries, by entry name, as ffdl.platform.package_set read them on a reference
    host. Returns (new lock, problems): an entry that cannot be read stays as it was and is named."""
    new = copy.deepcopy(lock)
    problems = []
    work = workdir or tempfile.mkdtemp(prefix="lock.")
    try:
        for entry in new["artifacts"]:
            if only and entry["name"] not in only:
                continue
            kind = entry["kind"]
            try:
                if kind == "file":
                    dest = os.path.join(work, entry["filename"])
                    sha256, size, url = fetch_file(entry, dest, options)
                    want = artifacts.parse_checksum(entry.get("checksum"))
                    # a published checksum of another algorithm stays: it is what the source vouches for
                    entry["checksum"] = entry["checksum"] if want and want[0] != "sha256" else "sha256:" + sha256
                    entry["size"] = size
                    os.unlink(dest)
                    options.log("%s: %s bytes from %s" % (entry["name"], size, fetch._safe(url)))
                elif kind == "image":
                    digest, image_id = fetch.resolve_image(
                        entry["reference"],
                        registry_endpoint(entry["reference"], options),
                        options.proxies,
                        options.no_proxy,
                    )
                    entry["digest"], entry["image_id"] = digest, image_id
                    options.log("%s: %s@%s" % (entry["name"], entry["reference"], digest))
                elif kind == "git":
                    url = options.mirrors.get(entry["name"]) or entry["url"]
                    entry["commit"] = git_commit(url, entry["ref"], options)
                    options.log("%s: %s at %s" % (entry["name"], entry["ref"], entry["commit"]))
                elif kind == "packages":
                    files = (package_sets or {}).get(entry["name"])
                    if files is None:
                        continue  # no reference host of this platform in this run: left as it is
                    entry["files"] = sorted(files, key=lambda item: item["filename"])
                    options.log("%s: %d files" % (entry["name"], len(files)))
                elif kind == "python":
                    if "controller" not in entry["roles"]:
                        continue  # for another host's Python: resolved on that host (not implemented: stays)
                    dest = os.path.join(work, entry["name"])
                    os.makedirs(dest)
                    pip_download(entry["names"], dest, options, cwd=cwd)
                    entry["files"] = [
                        {
                            "filename": name,
                            "size": os.path.getsize(os.path.join(dest, name)),
                            "checksum": "sha256:" + artifacts.file_digest(os.path.join(dest, name)),
                        }
                        for name in sorted(os.listdir(dest))
                    ]
                    shutil.rmtree(dest)
                    options.log("%s: %d files" % (entry["name"], len(entry["files"])))
            except (fetch.FetchError, OSError, subprocess.CalledProcessError) as exc:
                problems.append("%s (%s): %s" % (entry["name"], entry["what"], exc))
    finally:
        if not workdir:
            shutil.rmtree(work, ignore_errors=True)
    return new, problems


def dump_lock(lock, header):
    """The lock as YAML, its header comment kept."""
    body = yaml.safe_dump(lock, sort_keys=False, default_flow_style=None, width=120)
    return header + "---\n" + body


def lock_header(path):
    """The comment lines at the top of an existing lock file (kept by make lock)."""
    lines = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("---"):
                continue
            if not line.startswith("#"):
                break
            lines.append(line)
    return "".join(lines)


# ---------------------------------------------------------------- make bundle


def deb_control(path):
    """The control paragraph of a .deb (an ar archive whose control.tar.{gz,xz} holds ./control)."""
    with open(path, "rb") as handle:
        if handle.read(8) != b"!<arch>\n":
            raise ValueError("%s is not a .deb" % path)
        while True:
            header = handle.read(60)
            if len(header) < 60:
                raise ValueError("%s has no control archive" % path)
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = handle.read(size)
            if size % 2:
                handle.read(1)
            if name.startswith("control.tar"):
                if name.endswith(".gz"):
                    data = gzip.decompress(data)
                elif name.endswith(".xz"):
                    data = lzma.decompress(data)
                elif name != "control.tar":
                    raise ValueError("%s: %s is not compressed with gzip or xz" % (path, name))
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    for member in tar.getmembers():
                        if member.name in ("./control", "control"):
                            return tar.extractfile(member).read().decode("utf-8").strip()
                raise ValueError("%s has no control file" % path)


def apt_index(directory):
    """Packages (and Packages.gz) of a flat apt repository: every .deb in ``directory``, as dpkg-scanpackages
    writes it (the control paragraph, Filename, Size and the digests apt checks)."""
    paragraphs = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".deb"):
            continue
        path = os.path.join(directory, name)
        control = deb_control(path)
        paragraphs.append(
            "%s\nFilename: ./%s\nSize: %d\nMD5sum: %s\nSHA256: %s\n"
            % (control, name, os.path.getsize(path), artifacts.file_digest(path, "md5"), artifacts.file_digest(path))
        )
    text = "\n".join(paragraphs).encode("utf-8")
    with open(os.path.join(directory, "Packages"), "wb") as out:
        out.write(text)
    with gzip.GzipFile(os.path.join(directory, "Packages.gz"), "wb", mtime=0) as out:
        out.write(text)


def yum_index(directory):
    """repodata/ of a yum repository made of every .rpm in ``directory`` (createrepo_c, or createrepo)."""
    tool = shutil.which("createrepo_c") or shutil.which("createrepo")
    if not tool:
        raise fetch.FetchError(
            "the RPM package sets need createrepo_c (or createrepo) on the machine building the bundle "
            "(Debian/Ubuntu: apt-get install createrepo-c)"
        )
    subprocess.run([tool, "--quiet", directory], check=True)


def build(lock, out, options, lock_text):
    """Write the bundle for ``lock`` to ``out`` (an uncompressed tar of ffdl-bundle/): every artifact fetched
    and checked against the lock, the package sets indexed as repositories, bundle.json holding each file's
    size and SHA-256. Refuses an unresolved lock, naming each entry and what it lacks."""
    # an optional entry (another platform's package set, a non-default source's key) is left out while unresolved
    wanted = [e for e in lock["artifacts"] if not (e.get("optional") and artifacts.unresolved(e))]
    missing = [
        "%s (%s): %s" % (e["name"], e["what"], ", ".join(artifacts.unresolved(e)))
        for e in wanted
        if artifacts.unresolved(e)
    ]
    if missing:
        raise artifacts.LockError(
            "the lock has unresolved entries; run make lock on a host that reaches their sources first: %s"
            % "; ".join(missing)
        )
    parent = os.path.dirname(os.path.abspath(out)) or "."
    stage = tempfile.mkdtemp(prefix=".bundle.", dir=parent)
    root = os.path.join(stage, artifacts.BUNDLE_TOP)
    os.makedirs(root)
    try:
        for entry in wanted:
            specs = artifacts.entry_files(entry)
            for spec in specs:
                os.makedirs(os.path.dirname(os.path.join(root, spec["path"])), exist_ok=True)
            kind = entry["kind"]
            if kind == "file":
                fetch_file(entry, os.path.join(root, specs[0]["path"]), options)
            elif kind == "image":
                image_id = fetch.save_image(
                    entry["reference"],
                    entry["digest"],
                    os.path.join(root, specs[0]["path"]),
                    registry_endpoint(entry["reference"], options),
                    options.proxies,
                    options.no_proxy,
                )
                if image_id != entry["image_id"]:
                    raise fetch.FetchError(
                        "%s: the image is %s, the lock says %s" % (entry["name"], image_id, entry["image_id"])
                    )
            elif kind == "git":
                git_bundle_tar(entry, os.path.join(root, specs[0]["path"]), options)
            elif kind == "packages":
                directory = os.path.dirname(os.path.join(root, specs[0]["path"]))
                for item, spec in zip(entry["files"], specs, strict=True):
                    fetch_file(
                        {
                            "name": entry["name"],
                            "what": item["filename"],
                            "url": item["url"],
                            "checksum": item["checksum"],
                        },
                        os.path.join(root, spec["path"]),
                        Options(proxies=options.proxies, no_proxy=options.no_proxy, timeout=options.timeout),
                    )
                if entry["files"][0]["filename"].endswith(".deb"):
                    apt_index(directory)
                else:
                    yum_index(directory)
                # what the roles copy to a host: the set and its index in one file
                with tarfile.open(directory + ".tar", "w") as tar:
                    for name in sorted(os.listdir(directory)):
                        tar.add(os.path.join(directory, name), arcname=name, filter=_fixed_time)
            elif kind == "python":
                directory = os.path.join(root, "python", entry["name"])
                pins = []
                for item in entry["files"]:
                    pins.append(_pin(item))
                pip_download(pins, directory, options, no_deps=True)
                for item, spec in zip(entry["files"], specs, strict=True):
                    path = os.path.join(root, spec["path"])
                    if not os.path.isfile(path) or "sha256:" + artifacts.file_digest(path) != item["checksum"]:
                        raise fetch.FetchError("%s: pip did not give %s as locked" % (entry["name"], item["filename"]))
            options.log("%s: %s" % (entry["name"], ", ".join(spec["path"] for spec in specs)))
        with open(os.path.join(root, artifacts.BUNDLE_LOCK), "w") as handle:
            handle.write(lock_text)
        files = {}
        for directory, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                if relative == artifacts.BUNDLE_INDEX:
                    continue
                files[relative] = {"sha256": artifacts.file_digest(path), "size": os.path.getsize(path)}
        index = {
            "bundle_version": 1,
            "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lock_sha256": hashlib.sha256(lock_text.encode()).hexdigest(),
            "files": files,
        }
        with open(os.path.join(root, artifacts.BUNDLE_INDEX), "w") as handle:
            json.dump(index, handle, indent=1, sort_keys=True)
        problems = artifacts.check_bundle(root, lock)
        if problems:
            raise artifacts.LockError("the bundle does not match its lock: %s" % "; ".join(problems))
        tmp = out + ".part"
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(root, arcname=artifacts.BUNDLE_TOP, filter=_fixed_time)
        os.rename(tmp, out)
        return index
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _pin(item):
    """A wheel or sdist file name to the pip requirement that downloads exactly it, with its hash."""
    name = item["filename"]
    if name.endswith(".whl"):
        project, version = name.split("-")[:2]
    else:
        match = re.match(r"^(.+)-([0-9][^-]*)\.(tar\.gz|zip)$", name)
        project, version = match.group(1), match.group(2)
    return "%s==%s" % (project, version)


# ---------------------------------------------------------------- a bundle on the controller


def unpack(path, lock, verify=True):
    """The directory of the bundle at ``path`` (a directory, or an archive unpacked beside it, once).
    Returns (root, problems, unpacked): with ``verify`` (or when it was unpacked now), every file checked
    against bundle.json and the lock, each problem naming the artifact."""
    root = artifacts.bundle_root(path)
    unpacked = False
    if not os.path.isdir(root):
        if not os.path.isfile(path):
            return root, ["the bundle %s does not exist" % path], False
        parent = os.path.dirname(root)
        work = tempfile.mkdtemp(prefix=".unpacking.", dir=os.path.dirname(parent))
        try:
            with tarfile.open(path, "r:*") as tar:
                for member in tar.getmembers():
                    name = os.path.normpath(member.name)
                    if name.startswith(("/", "..")) or not (member.isfile() or member.isdir()):
                        return (
                            root,
                            ["the bundle %s holds %s, which is not a file inside it" % (path, member.name)],
                            False,
                        )
                    if name.split(os.sep)[0] != artifacts.BUNDLE_TOP:
                        return (
                            root,
                            ["the bundle %s holds %s outside %s/" % (path, member.name, artifacts.BUNDLE_TOP)],
                            False,
                        )
                tar.extractall(work)  # noqa: S202 - every member checked above: files and directories inside it
            os.rename(work, parent)
            unpacked = True
        except (tarfile.TarError, OSError) as exc:
            shutil.rmtree(work, ignore_errors=True)
            return root, ["the bundle %s cannot be read: %s" % (path, exc)], False
    problems = []
    if verify or unpacked:
        try:
            problems = artifacts.check_bundle(root, lock)
        except artifacts.LockError as exc:
            problems = [str(exc)]
    return root, problems, unpacked
