"""Source changes that let Kubernetes 1.11 build from what the Go module proxy serves.

Each change is a (file, old, new) replacement that must apply exactly; a
change that does not apply stops the build, so a pin update that makes one
unnecessary or wrong is noticed. Why each is needed is in README.md.

    python3 patch.py TREE
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Cloud providers and volume plugins whose client libraries the proxy does not
# serve. None of them is used by a test cluster on loopback.
DROPPED_PROVIDERS = ["azure", "cloudstack", "openstack", "photon"]
DROPPED_PLUGINS = [
    "azure_dd",
    "azure_file",
    "cinder",
    "csi",
    "flocker",
    "glusterfs",
    "photon_pd",
    "quobyte",
    "scaleio",
    "storageos",
]

STAGING = "staging/src/k8s.io"


def drop_import_lines(text: str, pattern: str) -> str:
    return re.sub(r"(?m)^\s*(?:_ )?" + pattern + r"\n", "", text)


def edit_providers(text: str) -> str:
    for name in DROPPED_PROVIDERS:
        text = drop_import_lines(text, rf'"k8s\.io/kubernetes/pkg/cloudprovider/providers/{name}"')
    return text


def edit_plugins(text: str) -> str:
    for name in DROPPED_PLUGINS:
        text = drop_import_lines(text, rf'"k8s\.io/kubernetes/pkg/volume/{name}"')
        text = re.sub(rf"(?m)^\s*allPlugins = append\(allPlugins, {name}\.ProbeVolumePlugins\(\)\.\.\.\)\n", "", text)
    # the CSI plugin sat alone in a feature-gate block, the only user of these imports
    text = re.sub(
        r"(?m)^\s*if utilfeature\.DefaultFeatureGate\.Enabled\(features\.CSIPersistentVolume\) \{\n\s*\}\n", "", text
    )
    text = drop_import_lines(text, r'utilfeature "k8s\.io/apiserver/pkg/util/feature"')
    text = drop_import_lines(text, r'"k8s\.io/kubernetes/pkg/features"')
    return text


CLONE_SPEC = """

// cloneSpec deep-copies a spec through JSON: kube-openapi's aggregator.CloneSpec
// is gone from the oldest kube-openapi the Go module proxy serves.
func cloneSpec(in *spec.Swagger) (*spec.Swagger, error) {
    data, err := json.Marshal(in)
    if err != nil {
        return nil, err
    }
    out := &spec.Swagger{}
    if err := json.Unmarshal(data, out); err != nil {
        return nil, err
    }
    return out, nil
}
"""


def edit_aggregator(text: str) -> str:
    text = text.replace("aggregator.CloneSpec(specInfo.spec)", "cloneSpec(specInfo.spec)")
    text = text.replace('import (\n\t"fmt"\n', 'import (\n\t"encoding/json"\n\t"fmt"\n', 1)
    return text + CLONE_SPEC


# (path, old, new): exact replacements.
REPLACEMENTS = [
    # kube-openapi 2020 (the oldest the proxy serves) dropped the handlers that
    # served /swagger.json in one format; the versioned handler serves both paths.
    (
        f"{STAGING}/kube-aggregator/pkg/controllers/openapi/aggregator.go",
        "handler.RegisterOpenAPIService(",
        "handler.RegisterOpenAPIVersionedService(",
    ),
    (
        f"{STAGING}/apiserver/pkg/server/routes/openapi.go",
        'handler.BuildAndRegisterOpenAPIService("/swagger.json", c.RegisteredWebServices(), oa.Config, mux)',
        'handler.BuildAndRegisterOpenAPIVersionedService("/swagger.json", c.RegisteredWebServices(), oa.Config, mux)',
    ),
    # mergo: the oldest release the proxy serves (0.3.4) no longer overwrites
    # set fields in Merge; client-go's kubeconfig loading relies on that
    # (without it kubectl ignores --server and KUBECONFIG).
    (
        f"{STAGING}/client-go/tools/clientcmd/loader.go",
        "mergo.Merge(",
        "mergo.MergeWithOverwrite(",
    ),
    (
        f"{STAGING}/client-go/tools/clientcmd/client_config.go",
        "mergo.Merge(",
        "mergo.MergeWithOverwrite(",
    ),
]

EDITS = [
    ("pkg/cloudprovider/providers/providers.go", edit_providers),
    ("cmd/kube-controller-manager/app/plugins.go", edit_plugins),
    (f"{STAGING}/kube-aggregator/pkg/controllers/openapi/aggregator.go", edit_aggregator),
]


def main() -> int:
    tree = Path(sys.argv[1])
    failed = []
    for rel, old, new in REPLACEMENTS:
        path = tree / rel
        text = path.read_text()
        if old not in text:
            failed.append(f"{rel}: {old!r} not found")
            continue
        path.write_text(text.replace(old, new))
    for rel, edit in EDITS:
        path = tree / rel
        text = path.read_text()
        new = edit(text)
        if new == text:
            failed.append(f"{rel}: edit {edit.__name__} changed nothing")
        path.write_text(new)
    if failed:
        print("patches that did not apply:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
