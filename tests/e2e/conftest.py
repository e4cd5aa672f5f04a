"""The end-to-end tests reuse the integration bed: the real API server, moto, Tiller, the REST stand-in.

test_site_remote_vm.py needs them on the Docker bridge (FFDL_TEST_BIND_ADDRESS, set by
scripts/test.sh for its gate) and skips otherwise.
"""

from tests.integration.conftest import (
    api,
    cluster,
    fashion_mnist,
    helm_mirror,
    kubernetes_line,
    restapi,
    s3,
    tiller,
)

__all__ = ["api", "cluster", "fashion_mnist", "helm_mirror", "kubernetes_line", "restapi", "s3", "tiller"]
