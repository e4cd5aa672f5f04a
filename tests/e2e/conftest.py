"""The end-to-end tests reuse the integration bed: the real API server, moto, Tiller, the REST stand-in."""

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
