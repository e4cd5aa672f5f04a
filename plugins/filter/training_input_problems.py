# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.training_input_problems: the training role's semantic input checks, as messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types
from ansible_collections.ffdl.platform.plugins.filter.regex_problems import regex_problems
from ansible_collections.ffdl.platform.plugins.filter.role_input_problems import text

URL = re.compile(r"^https?://[^/\s]+")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
CHECKSUM = re.compile(r"^(md5:[0-9a-fA-F]{32}|sha1:[0-9a-fA-F]{40}|(sha256:)?[0-9a-fA-F]{64}|sha512:[0-9a-fA-F]{128})$")
OBJECT_NAME = re.compile(r"^[^/\s][^/]*$")
MIRROR = re.compile(r"^(https?|file)://\S+/$")
WHOLE = re.compile(r"^[0-9]+$")
NUMBER = re.compile(r"^[0-9]*\.?[0-9]+([eE]-?[0-9]+)?$")
AUTH_URL_UNSET = re.compile(r"^data_stores\[0\]\.connection\.auth_url: (None|'')")
PROFILE = re.compile(r"^[A-Za-z0-9_.-]+$")
URL_VARIABLES = ("training_restapi_url", "training_s3_endpoint_url", "training_manifest_s3_url")
BUCKET_VARIABLES = ("training_data_bucket", "training_results_bucket")
ABSOLUTE_VARIABLES = ("training_cache_dir", "training_work_dir", "training_results_dir")
WHOLE_VARIABLES = (
    "training_timeout",
    "training_poll_interval",
    "training_log_lines",
    "training_download_timeout",
    "training_iters",
)
SETTINGS = (
    URL_VARIABLES
    + BUCKET_VARIABLES
    + ABSOLUTE_VARIABLES
    + WHOLE_VARIABLES
    + (
        "training_data_files",
        "training_data_dir",
        "training_data_mirrors",
        "training_model_dir",
        "training_manifest_file",
        "training_manifest_overrides",
        "training_learning_rate",
        "training_aws_profile",
        "training_accuracy_regex",
        "training_progress_patterns",
        "training_metrics_patterns",
        "training_run_on",
    )
)


def data_file_problems(files):
    if not is_sequence(files) or len(files) == 0:
        return ["training_data_files: empty; list the data set's files as {name, checksum}"]
    problems, names = [], []
    for entry in files:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, string_types) or not OBJECT_NAME.match(name) or name in (".", ".."):
            problems.append("training_data_files: %s needs a name without / (the object name in the bucket)" % (entry,))
        elif not CHECKSUM.match(text(entry.get("checksum"))):
            problems.append(
                "training_data_files: %s needs a checksum like md5:<32 hex> or sha256:<64 hex> (every file is verified)"
                % name
            )
        if isinstance(entry, dict) and "name" in entry:
            names.append(entry["name"])
    if len(set(map(text, names))) != len(names):
        problems.append("training_data_files: the same name is listed twice")
    return problems


def training_input_problems(settings, manifest_problems=None, manifest_variables=None):
    """One message per problem of the training role's settings (``SETTINGS``, by name), each starting with the
    variable to change. ``manifest_problems`` (ffdl.platform.manifest_problems of the rendered manifest) are told
    as the variable a manifest field came from (``manifest_variables``), or as the manifest when it came from a
    file or overrides."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError("training_input_problems takes a mapping of the training role's variables")
    missing = [name for name in SETTINGS if name not in settings]
    if missing:
        raise AnsibleFilterError("training_input_problems: settings lack %s" % ", ".join(missing))
    s = settings
    problems = []
    for name in URL_VARIABLES:
        if text(s[name]) and not URL.match(text(s[name])):
            problems.append("%s: %s is not an http:// or https:// URL" % (name, s[name]))
    for name in BUCKET_VARIABLES:
        if not BUCKET.match(text(s[name])):
            problems.append(
                "%s: %s is not a bucket name (3-63 lower-case letters, digits, ., _ or -;"
                " starting and ending with a letter or digit)" % (name, s[name])
            )
    if s["training_data_bucket"] == s["training_results_bucket"]:
        problems.append(
            "training_results_bucket: %s is also training_data_bucket; FfDL would copy earlier"
            " results into the next job's data. Use two buckets" % s["training_results_bucket"]
        )
    problems += data_file_problems(s["training_data_files"])
    data_dir, mirrors = text(s["training_data_dir"]), s["training_data_mirrors"] or []
    if data_dir and not data_dir.startswith("/"):
        problems.append("training_data_dir: %s is not an absolute path" % data_dir)
    elif not data_dir and len(mirrors) == 0:
        problems.append("training_data_mirrors: empty and training_data_dir not set; the data set has no source")
    for url in mirrors if is_sequence(mirrors) else [mirrors]:
        if not MIRROR.match(text(url)):
            problems.append("training_data_mirrors: %s is not an http(s):// or file:// base URL ending in /" % url)
    for name in ABSOLUTE_VARIABLES:
        if not text(s[name]).startswith("/"):
            problems.append("%s: %s is not an absolute path" % (name, s[name]))
    model_dir = text(s["training_model_dir"])
    if model_dir and not model_dir.startswith("/"):
        problems.append("training_model_dir: %s is not an absolute path" % model_dir)
    manifest_file = text(s["training_manifest_file"])
    # filters run on the controller: the file is read there (a lookup)
    if manifest_file and not os.path.isfile(manifest_file):
        problems.append("training_manifest_file: %s is not a file on the controller" % manifest_file)
    if not isinstance(s["training_manifest_overrides"], dict):
        problems.append("training_manifest_overrides: must be a mapping merged over the manifest")
    for name in WHOLE_VARIABLES:
        if not WHOLE.match(text(s[name])) or int(text(s[name])) <= 0:
            problems.append("%s: %s is not a whole number above zero" % (name, s[name]))
    rate = text(s["training_learning_rate"])
    if not NUMBER.match(rate) or float(rate) <= 0:
        problems.append("training_learning_rate: %s is not a number above zero" % rate)
    profile = text(s["training_aws_profile"])
    if profile and not PROFILE.match(profile):
        problems.append("training_aws_profile: %s is not a profile name (letters, digits, _ . -)" % profile)
    problems += regex_problems(s["training_accuracy_regex"], "training_accuracy_regex", numbered=True)
    problems += regex_problems(s["training_progress_patterns"], "training_progress_patterns")
    problems += regex_problems(s["training_metrics_patterns"], "training_metrics_patterns", groups=["step"])
    if not text(s["training_run_on"]):
        problems.append(
            "training_run_on: empty; name the host the S3 and REST calls run on (localhost: the controller)"
        )
    from_variables = not manifest_file and not s["training_manifest_overrides"]
    for problem in manifest_problems or []:
        # site.yml checks every role first, before ffdl.platform.ffdl has published the S3 endpoint the
        # manifest's auth_url comes from; the role's own run checks it again once it is known
        if (
            AUTH_URL_UNSET.match(problem)
            and not text(s["training_manifest_s3_url"])
            and not text(s["training_s3_endpoint_url"])
        ):
            continue
        variable = (manifest_variables or {}).get(problem.split(":")[0], "") if from_variables else ""
        if variable:
            problems.append("%s: FfDL would refuse the manifest, %s" % (variable, problem))
        else:
            where = " " + manifest_file if manifest_file else ""
            problems.append("FfDL would refuse the training manifest%s: %s" % (where, problem))
    return problems


class FilterModule(object):
    def filters(self):
        return {"training_input_problems": training_input_problems}
