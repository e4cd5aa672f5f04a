# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Downloads on the controller for the lock and the bundle: HTTP(S) through an optional proxy, and images
from a registry by digest, written as docker-archive tarballs that ``docker load`` takes (docker 1.13 too).

The proxy is given as arguments (ffdl.platform.downloads' variables), never taken from or put into an
environment, so its credentials reach no process's environment or command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile

from ansible_collections.ffdl.platform.plugins.filter.no_proxy import no_proxy_covers

from urllib import request as urlrequest
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse

MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
INDEX_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)


class FetchError(Exception):
    """A source did not give what was asked for; the message names the URL (never a proxy's credentials)."""


def no_proxy_match(host, no_proxy):
    """True when ``host`` is covered by the ``no_proxy`` list (names, .domain suffixes, addresses, CIDRs)."""
    return no_proxy_covers(host, no_proxy)


def opener(proxies=None, no_proxy=None, url=None):
    """A urllib opener using ``proxies`` ({'http': url, 'https': url}) unless ``url``'s host is in ``no_proxy``.

    The environment's proxy variables are not read: the caller passes what the inventory says."""
    handlers = []
    host = urlparse(url).hostname if url else None
    wanted = dict((k, v) for k, v in (proxies or {}).items() if v)
    if wanted and not (host and no_proxy_match(host, no_proxy)):
        handlers.append(urlrequest.ProxyHandler(wanted))
    else:
        handlers.append(urlrequest.ProxyHandler({}))
    return urlrequest.build_opener(*handlers)


def _safe(url):
    """``url`` without user information, for messages."""
    parsed = urlparse(url)
    if parsed.username or parsed.password:
        return url.replace(parsed.netloc, parsed.hostname + (":%d" % parsed.port if parsed.port else ""), 1)
    return url


def open_url(url, proxies=None, no_proxy=None, headers=None, timeout=60, method=None):
    if url.startswith("/"):
        url = "file://" + url
    # http(s) sources and mirrors, and file:// for a local one (a mirror path the inventory names)
    req = urlrequest.Request(url, headers=headers or {})  # noqa: S310
    if method:
        req.get_method = lambda: method
    try:
        return opener(proxies, no_proxy, url).open(req, timeout=timeout)
    except HTTPError:
        raise
    except (URLError, OSError, ValueError) as exc:
        raise FetchError("could not download %s: %s" % (_safe(url), getattr(exc, "reason", exc))) from None


def download(url, dest, proxies=None, no_proxy=None, timeout=60, algos=("sha256",)):
    """GET ``url`` into ``dest`` (written aside, then renamed); returns ({algo: hex}, size)."""
    digests = dict((a, hashlib.new(a)) for a in algos)
    size = 0
    tmp = dest + ".part"
    try:
        response = open_url(url, proxies, no_proxy, timeout=timeout)
    except HTTPError as exc:
        raise FetchError("could not download %s: HTTP %s %s" % (_safe(url), exc.code, exc.reason)) from None
    with response, open(tmp, "wb") as out:
        for chunk in iter(lambda: response.read(1024 * 1024), b""):
            size += len(chunk)
            for d in digests.values():
                d.update(chunk)
            out.write(chunk)
    os.rename(tmp, dest)
    return dict((a, d.hexdigest()) for a, d in digests.items()), size


def read_text(url, proxies=None, no_proxy=None, timeout=60):
    try:
        with open_url(url, proxies, no_proxy, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except HTTPError as exc:
        raise FetchError("could not download %s: HTTP %s %s" % (_safe(url), exc.code, exc.reason)) from None


# ---------------------------------------------------------------- registries (distribution spec, Docker Hub's tokens)


def parse_reference(reference):
    """``[registry/]repository[:tag][@digest]`` to (registry, repository, tag, digest), Docker's defaults filled."""
    digest = None
    if "@" in reference:
        reference, digest = reference.split("@", 1)
    tag = None
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        reference, tag = reference.rsplit(":", 1)
    parts = reference.split("/", 1)
    if len(parts) == 2 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, repository = parts
    else:
        registry, repository = "docker.io", reference
    if registry == "docker.io" and "/" not in repository:
        repository = "library/" + repository
    return registry, repository, tag, digest


class Registry(object):
    """A read-only client of one registry: HTTPS (or the ``endpoint`` given), anonymous bearer tokens."""

    def __init__(self, registry, endpoint=None, proxies=None, no_proxy=None, timeout=60):
        self.registry = registry
        if endpoint:
            self.base = endpoint.rstrip("/")
        elif registry == "docker.io":
            self.base = "https://registry-1.docker.io"
        else:
            self.base = "https://" + registry
        self.proxies, self.no_proxy, self.timeout = proxies, no_proxy, timeout
        self.tokens = {}

    def _token(self, challenge, repository):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        if "realm" not in fields:
            raise FetchError(
                "registry %s asked for authentication it does not describe: %s" % (self.registry, challenge)
            )
        query = "service=%s&scope=%s" % (
            fields.get("service", ""),
            fields.get("scope", "repository:%s:pull" % repository),
        )
        url = fields["realm"] + ("&" if "?" in fields["realm"] else "?") + query
        with open_url(url, self.proxies, self.no_proxy, timeout=self.timeout) as response:
            body = json.loads(response.read().decode())
        return body.get("token") or body.get("access_token")

    def get(self, repository, path, accept=None):
        url = "%s/v2/%s/%s" % (self.base, repository, path)
        headers = {"Accept": ", ".join(accept)} if accept else {}
        for attempt in (1, 2):
            if repository in self.tokens:
                headers["Authorization"] = "Bearer " + self.tokens[repository]
            try:
                return open_url(url, self.proxies, self.no_proxy, headers=headers, timeout=self.timeout)
            except HTTPError as exc:
                challenge = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
                if exc.code == 401 and attempt == 1 and challenge.lower().startswith("bearer"):
                    self.tokens[repository] = self._token(challenge, repository)
                    continue
                raise FetchError(
                    "registry %s: %s answered HTTP %s %s" % (self.registry, url, exc.code, exc.reason)
                ) from None
        raise FetchError("registry %s: %s refused the token it gave" % (self.registry, url))

    def manifest(self, repository, ref, platform=("linux", "amd64")):
        """(digest, manifest) of ``ref`` (a tag or digest); an index is followed to the platform's manifest."""
        with self.get(repository, "manifests/" + ref, MANIFEST_TYPES + INDEX_TYPES) as response:
            body = response.read()
            kind = response.headers.get("Content-Type", "").split(";")[0]
            digest = response.headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()
        document = json.loads(body.decode())
        kind = document.get("mediaType", kind)
        if kind in INDEX_TYPES or "manifests" in document:
            for item in document.get("manifests", []):
                plat = item.get("platform", {})
                if (plat.get("os"), plat.get("architecture")) == platform:
                    return self.manifest(repository, item["digest"], platform)
            raise FetchError("%s/%s:%s has no %s/%s image" % (self.registry, repository, ref, platform[0], platform[1]))
        if "config" not in document or "layers" not in document:
            raise FetchError("%s/%s:%s is not a schema 2 or OCI image manifest" % (self.registry, repository, ref))
        return digest, document

    def blob(self, repository, digest, dest):
        algo, want = digest.split(":", 1)
        hasher = hashlib.new(algo)
        with self.get(repository, "blobs/" + digest) as response, open(dest, "wb") as out:
            for chunk in iter(lambda: response.read(1024 * 1024), b""):
                hasher.update(chunk)
                out.write(chunk)
        if hasher.hexdigest() != want:
            raise FetchError(
                "registry %s gave %s for blob %s of %s" % (self.registry, hasher.hexdigest(), digest, repository)
            )


def resolve_image(reference, endpoint=None, proxies=None, no_proxy=None):
    """(manifest digest, image ID) of ``reference`` (``name:tag``) as its registry (or ``endpoint``) serves it."""
    registry, repository, tag, digest = parse_reference(reference)
    client = Registry(registry, endpoint, proxies, no_proxy)
    manifest_digest, manifest = client.manifest(repository, digest or tag or "latest")
    return manifest_digest, manifest["config"]["digest"]


def _tarinfo(name, size, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, 0
    return info


def save_image(reference, digest, dest, endpoint=None, proxies=None, no_proxy=None):
    """Pull ``reference`` at ``digest`` and write it to ``dest`` as `docker save` does (docker-archive: a
    manifest.json naming the config and each layer, RepoTags the reference), which `docker load` takes.
    Returns the image ID (the config's digest). Written with a fixed modification time, so the same image
    gives the same tarball."""
    registry, repository, tag, _digest = parse_reference(reference)
    client = Registry(registry, endpoint, proxies, no_proxy)
    manifest_digest, manifest = client.manifest(repository, digest)
    if manifest_digest != digest:
        raise FetchError("%s: the registry answered %s for %s" % (reference, manifest_digest, digest))
    work = tempfile.mkdtemp(prefix="image.", dir=os.path.dirname(dest) or ".")
    try:
        config_digest = manifest["config"]["digest"]
        config_name = config_digest.split(":", 1)[1] + ".json"
        client.blob(repository, config_digest, os.path.join(work, config_name))
        layers = []
        for layer in manifest["layers"]:
            name = layer["digest"].split(":", 1)[1]
            client.blob(repository, layer["digest"], os.path.join(work, name + ".layer"))
            layers.append(name)
        repo_tag = reference if tag else "%s:latest" % reference
        index = [{"Config": config_name, "RepoTags": [repo_tag], "Layers": [n + "/layer.tar" for n in layers]}]
        tmp = dest + ".part"
        with tarfile.open(tmp, "w", format=tarfile.USTAR_FORMAT) as tar:
            data = json.dumps(index, sort_keys=True).encode()
            tar.addfile(_tarinfo("manifest.json", len(data)), io.BytesIO(data))
            with open(os.path.join(work, config_name), "rb") as handle:
                tar.addfile(_tarinfo(config_name, os.path.getsize(handle.name)), handle)
            for name in layers:
                path = os.path.join(work, name + ".layer")
                # docker load takes compressed layer files as they came from the registry
                with open(path, "rb") as handle:
                    tar.addfile(_tarinfo(name + "/layer.tar", os.path.getsize(path)), handle)
        os.rename(tmp, dest)
        return config_digest
    finally:
        shutil.rmtree(work, ignore_errors=True)
