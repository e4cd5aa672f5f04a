//go:build tools

// Package tools pins the Helm 2 commands this module builds.
package tools

import (
	_ "k8s.io/helm/cmd/helm"
	_ "k8s.io/helm/cmd/tiller"
)
