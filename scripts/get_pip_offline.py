"""Stand-in for the get-pip bootstrap script that ``ansible-test`` downloads.

ansible-test fetches ``get-pip-<version>.py`` from a CI file host these
machines cannot reach, and uses a cached copy at
``~/.ansible/test/cache/get_pip_<version>.py`` when one exists. This file is
installed there by scripts/sanity.sh. It bootstraps pip from the standard
library (ensurepip), then installs the requested pip from the package index.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that pip itself does not know.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main():
    ensurepip.bootstrap(upgrade=True)
    # ensurepip sets PIP_CONFIG_FILE=/dev/null in this process; a pip started
    # from here would inherit it and lose the machine's CA bundle setting.
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONFIG_FILE", "GET_PIP")}
    args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
    return subprocess.call([sys.executable, "-m", "pip", "install", *args], env=env)


if __name__ == "__main__":
    sys.exit(main())
