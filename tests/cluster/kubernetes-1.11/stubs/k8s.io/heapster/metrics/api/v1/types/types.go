// Package types is a local stand-in for Heapster's metric API types
// (k8s.io/heapster/metrics/api/v1/types), which the Go module proxy does not
// serve. Kubernetes 1.11's HPA legacy metrics client decodes these.
package types

import "time"

// MetricPoint is one sample.
type MetricPoint struct {
	Timestamp  time.Time `json:"timestamp"`
	Value      uint64    `json:"value"`
	FloatValue *float64  `json:"floatValue,omitempty"`
}

// MetricResult is the samples of one metric.
type MetricResult struct {
	Metrics         []MetricPoint `json:"metrics"`
	LatestTimestamp time.Time     `json:"latestTimestamp"`
}

// MetricResultList is the samples of several objects.
type MetricResultList struct {
	Items []MetricResult `json:"items"`
}
