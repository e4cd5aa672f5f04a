# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The bucket and prefix the S3 modules list (module_utils s3_listing).
    DOCUMENTATION = r"""
options:
  bucket:
    description: The bucket.
    type: str
    required: true
  prefix:
    description: Only keys that start with this.
    type: str
    default: ""
"""
