"""The remote-VM end-to-end test reuses the integration bed, its services on the Docker bridge.

scripts/test.sh sets FFDL_TEST_BIND_ADDRESS to the bridge address for this
gate, so the API server, Tiller, moto, the REST stand-in and the mirrors
answer the test container as a real VM's controller network would.
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
