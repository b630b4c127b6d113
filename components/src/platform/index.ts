// The Helm platform: registry of add-ons, values builders, and the Platform component.
export * from "./context";
export * from "./registry";
export { RELEASES, type AddonRelease } from "./releases";
export * from "./resources";
export * from "./platform";
export { GRAFANA_ADMIN_SECRET } from "./addons/kube-prometheus-stack";
export { JAEGER_BADGER_CLAIM } from "./addons/jaeger";
export { VAULT_TLS_SECRET, vaultConfig } from "./addons/vault";
