/**
 * The custom resources the platform declares next to its charts: cert-manager issuers and certificates,
 * External Secrets stores. Pure builders, so tests read them without the Pulumi runtime.
 */
import type { AgentConfig } from "../config";
import {
  exposedListenerName,
  PLATFORM_ENDPOINTS,
  PLATFORM_NAMESPACES,
  WORKLOAD_IDENTITIES,
} from "../lib/contract";
import { PUBLIC_GATEWAY_CONTAINERS, shutdownManagerPatch } from "../model/footprints/gateway";
import { resources } from "./context";
import { VAULT_PEER_SERVICE, VAULT_TLS_SECRET } from "./addons/vault";
import type { AddonContext } from "./context";

export interface CustomObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

/** The issuer of the internal CA every in-cluster certificate chains to. */
export const CA_ISSUER = "agentops-ca";
const ROOT_SECRET = "agentops-root-ca";

/** Self-signed bootstrap issuer → internal root CA certificate → CA ClusterIssuer; ACME issuers on request. */
export function certificateIssuers(ctx: AddonContext): CustomObject[] {
  const objects: CustomObject[] = [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "selfsigned" },
      spec: { selfSigned: {} },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: ROOT_SECRET, namespace: PLATFORM_NAMESPACES.certManager },
      spec: {
        isCA: true,
        commonName: `agentops-${ctx.environment} internal CA`,
        secretName: ROOT_SECRET,
        duration: "87600h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: "selfsigned", kind: "ClusterIssuer", group: "cert-manager.io" },
      },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: CA_ISSUER },
      spec: { ca: { secretName: ROOT_SECRET } },
    },
  ];
  const email = ctx.config.certManager.acmeEmail;
  if (email) {
    for (const [name, server] of [
      ["letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"],
      ["letsencrypt-production", "https://acme-v02.api.letsencrypt.org/directory"],
    ] as const) {
      objects.push({
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name },
        spec: {
          acme: {
            email,
            server,
            privateKeySecretRef: { name: `${name}-account` },
            solvers: [
              {
                http01: {
                  gatewayHTTPRoute: {
                    parentRefs: [
                      {
                        name: PLATFORM_ENDPOINTS.gateway.name,
                        namespace: PLATFORM_ENDPOINTS.gateway.namespace,
                        kind: "Gateway",
                      },
                    ],
                  },
                },
              },
            ],
          },
        },
      });
    }
  }
  return objects;
}

/** Vault's serving certificate, for every name its clients and raft peers use. */
export function vaultCertificate(): CustomObject {
  const ns = PLATFORM_NAMESPACES.vault;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: VAULT_TLS_SECRET, namespace: ns },
    spec: {
      secretName: VAULT_TLS_SECRET,
      duration: "2160h",
      renewBefore: "360h",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      dnsNames: [
        "vault",
        `vault.${ns}`,
        `vault.${ns}.svc`,
        `vault.${ns}.svc.cluster.local`,
        // Raft peers join each other as vault-<i>.vault-internal (retry_join leader_api_addr).
        `*.${VAULT_PEER_SERVICE}`,
        `*.${VAULT_PEER_SERVICE}.${ns}.svc.cluster.local`,
        "localhost",
      ],
      ipAddresses: ["127.0.0.1"],
      issuerRef: { name: CA_ISSUER, kind: "ClusterIssuer", group: "cert-manager.io" },
    },
  };
}

/**
 * ClusterSecretStores: Vault's KV v2 engine at `secret/` through Kubernetes auth (role `external-secrets`), and
 * AWS Secrets Manager through the controller's Pod Identity (EKS only).
 */
export function secretStores(ctx: AddonContext): CustomObject[] {
  const vaultNs = PLATFORM_NAMESPACES.vault;
  const eso = WORKLOAD_IDENTITIES.externalSecrets;
  const stores: CustomObject[] = [
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: PLATFORM_ENDPOINTS.vaultSecretStore },
      spec: {
        provider: {
          vault: {
            server: `https://vault.${vaultNs}.svc.cluster.local:8200`,
            path: "secret",
            version: "v2",
            caProvider: { type: "Secret", name: VAULT_TLS_SECRET, namespace: vaultNs, key: "ca.crt" },
            auth: {
              kubernetes: {
                mountPath: "kubernetes",
                role: "external-secrets",
                serviceAccountRef: { name: eso.serviceAccount, namespace: eso.namespace },
              },
            },
          },
        },
      },
    },
  ];
  if (ctx.cluster.cloud && ctx.cluster.capabilities.podIdentity) {
    stores.push({
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: PLATFORM_ENDPOINTS.awsSecretStore },
      spec: { provider: { aws: { service: "SecretsManager", region: ctx.cluster.cloud.region } } },
    });
  }
  return stores;
}

/**
 * Pod Security level each platform namespace enforces; every one also warns and audits at `restricted`.
 * `restricted` wherever the charts' own security contexts meet it. `monitoring` enforces `baseline`: its
 * charts (Prometheus, Grafana, Loki, Jaeger, the OTel gateway) set restricted contexts, but their templates
 * are not in ../shared/charts to prove every container does, and one miss would roll the atomic release
 * back; the `restricted` warnings name any that falls short. Host access is confined to `monitoring-agents`.
 */
export const NAMESPACE_SECURITY: Record<string, "restricted" | "baseline" | "privileged"> = {
  [PLATFORM_NAMESPACES.certManager]: "restricted",
  [PLATFORM_NAMESPACES.externalSecrets]: "restricted",
  [PLATFORM_NAMESPACES.vault]: "restricted",
  [PLATFORM_NAMESPACES.monitoring]: "baseline",
  // node-exporter (host network, PID and /proc, /sys) and the pod-log collector (/var/log/pods).
  [PLATFORM_NAMESPACES.nodeAgents]: "privileged",
  // Envoy Gateway runs its controller and proxies as non-root without capabilities; listeners below 1024
  // are mapped to unprivileged container ports.
  [PLATFORM_NAMESPACES.gateway]: "restricted",
  // The AI Gateway controller's chart runs it non-root, without capabilities, with RuntimeDefault seccomp.
  [PLATFORM_NAMESPACES.aiGateway]: "restricted",
  // The CloudNativePG chart's pod and container security contexts are restricted (values.yaml defaults).
  [PLATFORM_NAMESPACES.cnpg]: "restricted",
  // KEDA's chart runs its three pods non-root, without capabilities, with RuntimeDefault seccomp.
  [PLATFORM_NAMESPACES.keda]: "restricted",
};

/** An exposed agent as the shared Gateway serves it: its listener's hostname and the issuer of its certificate. */
export interface ExposedAgent {
  name: string;
  /** Its tenant: the one namespace whose routes the listener admits. */
  tenant: string;
  hostname: string;
  issuer: string;
}

/** The agents of `agents` with `expose`, sorted by name (the Gateway's listener order). */
export function exposedAgents(agents: readonly AgentConfig[]): ExposedAgent[] {
  return agents
    .flatMap((a) =>
      a.mode !== "scheduled" && a.expose
        ? [{ name: a.name, tenant: a.tenant, hostname: a.expose.hostname, issuer: a.expose.issuer }]
        : [],
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The certificate (and its Secret) of an exposed agent's hostname, in the Gateway's namespace. */
export const exposedCertificateName = (agent: { name: string }) => `expose-${agent.name}`;

/**
 * The shared Gateway, declared with the ACME issuers or the first exposed agent: an Envoy GatewayClass, the
 * EnvoyProxy that sizes its proxies (`replicas`, the containers' requests of model/footprints/gateway.ts, which
 * the capacity plan reads back from this object; `externalTrafficPolicy: Local` keeps client addresses, the key
 * of the per-client rate limit of routes without JWT), and one `public` Gateway: HTTP on 80 (HTTPRoutes from
 * every namespace: the ACME issuers' HTTP-01 solver attaches there) and one HTTPS listener on 443 per exposed
 * agent, named `https-<agent>`, for its hostname only, terminating TLS with the certificate cert-manager keeps
 * in `expose-<agent>` and admitting routes of the agent's namespace only; then those Certificates.
 */
export function gatewayObjects(exposed: readonly ExposedAgent[] = [], replicas = 1): CustomObject[] {
  const gw = PLATFORM_ENDPOINTS.gateway;
  const C = PUBLIC_GATEWAY_CONTAINERS;
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: gw.className },
      spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
    },
    {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "EnvoyProxy",
      metadata: { name: gw.name, namespace: gw.namespace },
      spec: {
        provider: {
          type: "Kubernetes",
          kubernetes: {
            envoyService: { externalTrafficPolicy: "Local" },
            envoyDeployment: {
              replicas,
              container: { resources: resources(C.envoy, "1", "1Gi") },
              // As for the LLM gateway: the shutdown manager's resources only through a patch.
              patch: shutdownManagerPatch(C.shutdownManager),
            },
          },
        },
      },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: gw.name, namespace: gw.namespace },
      spec: {
        gatewayClassName: gw.className,
        infrastructure: {
          parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: gw.name },
        },
        listeners: [
          { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } },
          ...exposed.map((a) => ({
            name: exposedListenerName(a),
            protocol: "HTTPS",
            port: 443,
            hostname: a.hostname,
            tls: {
              mode: "Terminate",
              certificateRefs: [{ group: "", kind: "Secret", name: exposedCertificateName(a) }],
            },
            allowedRoutes: {
              namespaces: {
                from: "Selector",
                selector: { matchLabels: { "kubernetes.io/metadata.name": a.tenant } },
              },
            },
          })),
        ],
      },
    },
    ...exposed.map((a): CustomObject => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: exposedCertificateName(a), namespace: gw.namespace },
      spec: {
        secretName: exposedCertificateName(a),
        dnsNames: [a.hostname],
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        issuerRef: { name: a.issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
      },
    })),
  ];
}
