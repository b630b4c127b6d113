/**
 * The names the parts of the platform agree on: node group labels and taints, platform namespaces and
 * endpoints, workload identities, and the labels and annotations the policy pack and cost model read.
 * One place, so a rename is one change.
 */

/** Labels and annotations on every agent object. The policy pack and the cost report read them. */
export const LABELS = {
  tenant: "agentops.io/tenant",
  tier: "agentops.io/tier",
  costCenter: "agentops.io/cost-center",
  agent: "agentops.io/agent",
  /** Node label of every managed node group: `system`, `spot` or `gpu`. */
  nodeGroup: "agentops.io/node-group",
} as const;

export const ANNOTATIONS = {
  /** The agent's monthly budget in USD (compute plus LLM). */
  budgetMonthlyUsd: "agentops.io/budget-monthly-usd",
  /** Declared LLM API spend per month in USD. */
  llmMonthlyUsd: "agentops.io/llm-monthly-usd",
  /** Estimated monthly cost in USD at maximum replicas, from the cost model. */
  estimatedMonthlyUsd: "agentops.io/estimated-monthly-usd",
  /** Minutes one scheduled run takes, for the cost of CronJobs. */
  expectedRunMinutes: "agentops.io/expected-run-minutes",
} as const;

/**
 * Tags the data stores' AWS resources carry for the cost model, which reads a store's price from its resources:
 * which store a resource is, and an S3 store's expected size and requests (the bucket itself says nothing of
 * them). Values are decimal numbers as strings.
 */
export const STORE_TAGS = {
  store: "agentops.io/store",
  expectedStorageGiB: "agentops.io/expected-storage-gib",
  expectedWritesPerMonth: "agentops.io/expected-writes-per-month",
  expectedReadsPerMonth: "agentops.io/expected-reads-per-month",
} as const;

/**
 * Environment variables the platform sets on every agent container (OpenTelemetry export: agents/objects.ts).
 * A container's `env` overrides what `envFrom` brings, so an agent's own `env` or `secrets` key of the same name
 * would be ignored: the configuration refuses them.
 */
export const AGENT_PLATFORM_ENV = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
] as const;

/** Node groups: how workloads find them and what keeps others off. */
export const NODE_GROUPS = {
  system: { label: "system", taint: undefined },
  spot: { label: "spot", taint: { key: "agentops.io/spot", value: "true", effect: "NoSchedule" } },
  gpu: { label: "gpu", taint: { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } },
} as const;

/** Namespaces of the platform add-ons. */
export const PLATFORM_NAMESPACES = {
  monitoring: "monitoring",
  vault: "vault",
  externalSecrets: "external-secrets",
  certManager: "cert-manager",
  kubeSystem: "kube-system",
  gateway: "envoy-gateway-system",
  /** The Envoy AI Gateway controller (the extension server Envoy Gateway calls). */
  aiGateway: "envoy-ai-gateway-system",
  /** Node agents that need host access (node-exporter, the pod-log collector): the one `privileged` namespace. */
  nodeAgents: "monitoring-agents",
  /** The CloudNativePG operator (existing clusters with a PostgreSQL store). */
  cnpg: "cnpg-system",
  /**
   * The data stores' in-cluster side: CloudNativePG clusters and Valkey releases on an existing cluster, the
   * generated database credentials, the RDS role bootstrap and the volume snapshot schedule.
   */
  stores: "agentops-stores",
  /** KEDA: the operator that scales agents on requests and queues, its metrics server and webhook. */
  keda: "keda",
} as const;

/** Where agents send telemetry and where their secrets come from. */
export const PLATFORM_ENDPOINTS = {
  /** OpenTelemetry collector (OTLP), in the monitoring namespace. */
  otelCollector: {
    service: "otel-collector",
    namespace: PLATFORM_NAMESPACES.monitoring,
    grpcPort: 4317,
    httpPort: 4318,
  },
  /** ClusterSecretStore that reads Vault's KV v2 engine `secret/` with Kubernetes auth. */
  vaultSecretStore: "vault",
  /** ClusterSecretStore that reads AWS Secrets Manager with Pod Identity (EKS only). */
  awsSecretStore: "aws-secrets-manager",
  /**
   * The shared Gateway (Gateway API) agents attach HTTPRoutes to, and its GatewayClass; the labels of its proxy
   * pods (Envoy Gateway sets them), which a tenant's network policy admits to exposed agents.
   */
  gateway: {
    name: "public",
    namespace: PLATFORM_NAMESPACES.gateway,
    className: "envoy",
    proxyPodLabels: {
      "gateway.envoyproxy.io/owning-gateway-name": "public",
      "gateway.envoyproxy.io/owning-gateway-namespace": PLATFORM_NAMESPACES.gateway,
    },
  },
  /**
   * The in-cluster LLM gateway agents call instead of providers: its Gateway (and fixed Service name), the
   * listener port, the container port Envoy listens on (ports below 1024 shifted by +10000), the labels of its
   * proxy pods, the service account they run under (the EnvoyProxy names it, Envoy Gateway creates it; the
   * Bedrock Pod Identity association binds it) and the header that carries the authenticated agent's name.
   */
  llmGateway: {
    name: "llm-gateway",
    namespace: PLATFORM_NAMESPACES.gateway,
    port: 80,
    containerPort: 10080,
    proxyPodLabels: {
      "gateway.envoyproxy.io/owning-gateway-name": "llm-gateway",
      "gateway.envoyproxy.io/owning-gateway-namespace": PLATFORM_NAMESPACES.gateway,
    },
    serviceAccount: "llm-gateway",
    clientIdHeader: "x-agentops-agent",
  },
  /** Label of the namespace Prometheus scrapes from. */
  prometheusNamespace: PLATFORM_NAMESPACES.monitoring,
  /** Prometheus's query API (kube-prometheus-stack's Service), which KEDA's prometheus triggers ask. */
  prometheusUrl: `http://kube-prometheus-stack-prometheus.${PLATFORM_NAMESPACES.monitoring}.svc.cluster.local:9090`,
  /** The KEDA operator's service account: SQS queue lengths are read with its Pod Identity. */
  kedaOperator: { namespace: PLATFORM_NAMESPACES.keda, serviceAccount: "keda-operator" },
} as const;

/**
 * The shared Gateway's HTTPS listener for an exposed agent (one per hostname, named after the agent): the
 * platform declares it, the agent's HTTPRoute attaches to it by this name.
 */
export const exposedListenerName = (agent: { name: string }) => `https-${agent.name}`;

/**
 * In-cluster components that call AWS, with the service account their Pod Identity association binds.
 * The cluster creates the roles and associations; the platform's charts use these service account names.
 */
export const WORKLOAD_IDENTITIES = {
  ebsCsi: { namespace: PLATFORM_NAMESPACES.kubeSystem, serviceAccount: "ebs-csi-controller-sa" },
  clusterAutoscaler: { namespace: PLATFORM_NAMESPACES.kubeSystem, serviceAccount: "cluster-autoscaler" },
  loki: { namespace: PLATFORM_NAMESPACES.monitoring, serviceAccount: "loki" },
  vault: { namespace: PLATFORM_NAMESPACES.vault, serviceAccount: "vault" },
  externalSecrets: { namespace: PLATFORM_NAMESPACES.externalSecrets, serviceAccount: "external-secrets" },
} as const;

export type WorkloadIdentity = keyof typeof WORKLOAD_IDENTITIES;
