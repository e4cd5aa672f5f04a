# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ffdl.platform.images_missing: the locked images a host's Docker does not hold with their locked image ID."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError


def docker_name(reference):
    """A reference as `docker images` lists it: docker.io's without the registry, official ones without library/."""
    return re.sub(r"^(docker\.io/)?(library/)?", "", reference) if reference.startswith("docker.io/") else reference


def images_missing(images, listing):
    """``images``: lock entries (reference, image_id); ``listing``: `docker images --no-trunc --format
    '{{.Repository}}:{{.Tag}} {{.ID}}'`. Returns the entries whose reference is absent or another image."""
    if not isinstance(images, list):
        raise AnsibleFilterError("images_missing takes a list of lock entries")
    held = {}
    for line in (listing or "").splitlines():
        parts = line.split()
        if len(parts) == 2:
            held[parts[0]] = parts[1]
    return [image for image in images if held.get(docker_name(image["reference"])) != image.get("image_id")]


class FilterModule(object):
    def filters(self):
        return {"images_missing": images_missing}
