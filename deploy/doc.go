// Package deploy holds no code: it is ozmon's deployment (docker compose,
// Kubernetes kustomize, Prometheus rules, Grafana dashboard), which its tests check offline.
package deploy
