# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How the modules of the ffdl action group reach FfDL's REST API (module_utils/ffdl_rest.py REST_ARGUMENT_SPEC).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - FfDL's REST API, like C(http://192.0.2.10:31234) (the ffdl role publishes it as C(ffdl_restapi_url)).
      - Set once for several tasks with C(module_defaults) and the action group C(group/ffdl.platform.ffdl).
    type: str
    required: true
  user:
    description: The user the jobs belong to (C(X-Watson-Userinfo bluemix-instance-id)); FfDL scopes jobs per user.
    type: str
    default: test-user
  password:
    description: Password for the C(Authorization) header. FfDL only checks that one is there.
    type: str
    default: test
  timeout:
    description: Seconds each REST call may take.
    type: int
    default: 30
"""
