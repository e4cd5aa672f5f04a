# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's one download path: fetch, hash while writing, verify, then move into place.

Used by ffdl.platform.release_binary (Minishift, Helm) and ffdl.platform.verified_file
(data sets). Nothing reaches its destination before its checksum matched.
Python 2.7 and 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import fetch_url

ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
_HEX = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}


# The options every downloading module takes (doc fragment ffdl.platform.proxy): the proxy arrives as module
# arguments hidden by no_log, never in the task's environment, and is set in this process's environment only
# while a download runs (children started later do not inherit it).
PROXY_ARGS = dict(
    http_proxy=dict(type="str", default="", no_log=True),
    https_proxy=dict(type="str", default="", no_log=True),
    no_proxy=dict(type="list", elements="str", default=[]),
)


class proxy_environment(object):
    """``with proxy_environment(module.params):`` fetch_url then goes through the proxy the parameters name,
    except to the hosts of ``no_proxy``; with none named, the environment stays as it is."""

    NAMES = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")

    def __init__(self, params):
        self.wanted = {}
        if params.get("http_proxy") or params.get("https_proxy"):
            for name in ("http_proxy", "https_proxy"):
                self.wanted[name] = self.wanted[name.upper()] = params.get(name) or ""
            no_proxy = ",".join(params.get("no_proxy") or [])
            self.wanted["no_proxy"] = self.wanted["NO_PROXY"] = no_proxy
        self.saved = {}

    def __enter__(self):
        for name, value in self.wanted.items():
            self.saved[name] = os.environ.get(name)
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        return self

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        return False


class DownloadError(Exception):
    """A URL did not give the file (unreachable, not found, or not what the checksum says)."""


def parse_checksum(text, default="sha256"):
    """``algo:hex`` (or bare hex for ``default``) to (algo, hex); None when malformed."""
    if not text:
        return None
    text = text.strip()
    algo, _sep, digest = text.partition(":") if ":" in text else (default, "", text)
    algo = algo.lower()
    digest = digest.lower()
    if algo not in ALGORITHMS or not re.match(r"^[0-9a-f]{%d}$" % _HEX[algo], digest):
        return None
    return algo, digest


# boto3's upload_file (amazon.aws.s3_object's put): one PUT below 8 MiB, from 8 MiB on parts of 8 MiB
UPLOAD_PART_SIZE = 8 * 1024 * 1024
# S3's ETag is an MD5: an identity of the content, not a security measure
ETAG_DIGEST = "md5"


def upload_etag(path, part_size=UPLOAD_PART_SIZE):
    """The ETag S3 gives ``path`` uploaded with boto3's defaults: its MD5 below one part's size, else the MD5 of
    the parts' MD5s and ``-<parts>`` (a multipart upload)."""
    whole, parts = hashlib.new(ETAG_DIGEST), []
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(part_size), b""):
            whole.update(chunk)
            parts.append(hashlib.new(ETAG_DIGEST, chunk).digest())
    if os.path.getsize(path) < part_size:
        return whole.hexdigest()
    return "%s-%d" % (hashlib.new(ETAG_DIGEST, b"".join(parts)).hexdigest(), len(parts))


def file_digest(path, algo="sha256"):
    digest = hashlib.new(algo)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_text(module, url, timeout):
    """GET ``url`` and return its body as text, or raise DownloadError."""
    with proxy_environment(module.params):
        response, info = fetch_url(module, url, timeout=timeout)
    if response is None or info.get("status") != 200:
        raise DownloadError(
            "could not download %s: %s (HTTP status %s)" % (url, info.get("msg", "no response"), info.get("status"))
        )
    return to_native(response.read())


def fetch_to(module, url, handle, timeout, algo="sha256"):
    """GET ``url`` into the open binary ``handle``; return its digest, or raise DownloadError."""
    with proxy_environment(module.params):
        response, info = fetch_url(module, url, timeout=timeout)
    if response is None or info.get("status") != 200:
        raise DownloadError(
            "could not download %s: %s (HTTP status %s)" % (url, info.get("msg", "no response"), info.get("status"))
        )
    digest = hashlib.new(algo)
    while True:
        chunk = response.read(1024 * 1024)
        if not chunk:
            break
        digest.update(chunk)
        handle.write(chunk)
    return digest.hexdigest()


def fetch_verified(module, urls, dest_tmp, checksum, timeout):
    """Try ``urls`` in order until one gives a file with ``checksum`` (algo, hex), written to ``dest_tmp``.

    Returns (url, attempts); attempts lists what each URL tried gave. Raises
    DownloadError naming every attempt when none did.
    """
    algo, want = checksum
    attempts = []
    for url in urls:
        try:
            with open(dest_tmp, "wb") as handle:
                got = fetch_to(module, url, handle, timeout, algo)
        except (DownloadError, IOError, OSError) as exc:
            attempts.append({"url": url, "ok": False, "error": to_native(exc)})
            continue
        if got != want:
            attempts.append(
                {"url": url, "ok": False, "error": "checksum mismatch: %s %s, expected %s" % (algo, got, want)}
            )
            continue
        attempts.append({"url": url, "ok": True})
        return url, attempts
    raise DownloadError(
        "no URL gave the file with %s %s: %s"
        % (algo, want, "; ".join("%s: %s" % (a["url"], a.get("error")) for a in attempts) or "no URLs given")
    )
