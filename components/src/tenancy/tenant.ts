/**
 * Tenant: one team's namespace under Pod Security `restricted`, with its quota, default container limits,
 * a default-deny network with the few holes agents need, and read/logs/exec access for the team's group.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, type AgentConfig, type Environment, type TenantConfig } from "../config";
import { agentsSchema } from "../config/agents";
import {
  ComponentArgsError,
  parseArgument,
  platformEndpointsSchema,
  type AgentInput,
  type PlatformEndpoints,
  type PlatformEndpointsInput,
  type TenantInput,
} from "../config/component-args";
import { oneOf } from "../config/schema";
import { tenantSchema } from "../config/tenants";
import { LABELS, PLATFORM_ENDPOINTS, PLATFORM_NAMESPACES } from "../lib/contract";
import { childName } from "../lib/names";

/**
 * Arguments of `Tenant`, in the shapes users write (optional fields left out), validated inside the component
 * with the stack files' schemas.
 * @throws {ComponentArgsError} naming the component and each bad field, e.g. `Tenant "team-a": tenant.group: …`
 */
export interface TenantArgs {
  /** One `agentops:tenants` entry (see the configuration reference in README.md). */
  tenant: TenantInput;
  /** Environment the tenant runs in (`dev`, `staging` or `prod`). */
  environment: string;
  /**
   * A namespace made elsewhere to put the tenant in (another resource's output, e.g. `ns.metadata.name`), instead
   * of the one the tenant creates, named `tenant.name`. The tenant then applies its labels — Pod Security
   * `restricted` and the cost labels — to it with a server-side patch (`NamespacePatch`, field manager
   * pulumi-kubernetes) and puts its quota, limits, network policies and RBAC in it.
   * @default undefined: the tenant creates its namespace
   */
  namespace?: pulumi.Input<string>;
  /**
   * The agents of this tenant (`agent.tenant === tenant.name`); those with `internetEgress` get the egress
   * policy, those with an LLM budget the gateway egress policy (with `llmGateway`). Others are ignored. @default []
   */
  agents?: AgentInput[];
  /**
   * Where the platform's services run: Prometheus's namespace may scrape the agents, the OpenTelemetry
   * collector is reachable. Same argument as the `Agent`'s. @default the platform's (lib/contract.ts)
   */
  platform?: PlatformEndpointsInput;
  /**
   * The LLM gateway's proxy pods, when the platform runs the gateway: agents with `llm.monthlyUsd > 0` may
   * reach them on `containerPort` (the pod port behind the listener; Envoy shifts ports below 1024 by +10000).
   * @default undefined: no gateway egress policy
   */
  llmGateway?: TenantLlmGateway;
  /**
   * Where each data store is, by store name (the `DataStores` component's `egress`): the agents of this tenant
   * that list a store in `stores` get one egress policy `allow-store-<name>-egress` with exactly these rules.
   * @default {}: no store egress (an agent listing stores then reaches none)
   */
  stores?: Readonly<Record<string, readonly inputs.networking.v1.NetworkPolicyEgressRule[]>>;
  /**
   * The shared Gateway's proxy pods: the agents with `expose` admit them on their HTTP port, and no other agent
   * does. @default the platform's (lib/contract.ts `PLATFORM_ENDPOINTS.gateway`)
   */
  publicGateway?: TenantPublicGateway;
}

/** The shared Gateway's proxy pods as a tenant's network policy selects them. */
export interface TenantPublicGateway {
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
}

/** The LLM gateway's proxy pods as a tenant's network policy selects them. */
export interface TenantLlmGateway {
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
  containerPort: number;
}

/** `TenantArgs` after validation. */
export interface ResolvedTenantArgs {
  tenant: TenantConfig;
  /** The namespace the tenant's objects go in: `tenant.name`, or the one passed in. */
  namespace: pulumi.Input<string>;
  /** Whether the namespace was made elsewhere (`TenantArgs.namespace`). */
  existingNamespace: boolean;
  environment: Environment;
  agents: AgentConfig[];
  platform: PlatformEndpoints;
  llmGateway?: TenantLlmGateway;
  stores?: TenantArgs["stores"];
  publicGateway: TenantPublicGateway;
}

/**
 * Validates `Tenant` arguments with the stack files' schemas. Idempotent: parsed entries parse to themselves.
 * @param name the component's name, for the messages
 * @throws {ComponentArgsError} listing every problem
 */
export function resolveTenantArgs(name: string, args: TenantArgs): ResolvedTenantArgs {
  const tenant = parseArgument("tenant", tenantSchema, args.tenant);
  const environment = parseArgument("environment", oneOf(ENVIRONMENTS), args.environment);
  const agents = parseArgument("agents", agentsSchema, args.agents ?? []);
  const platform = parseArgument("platform", platformEndpointsSchema, args.platform ?? {});
  const issues = [...tenant.issues, ...environment.issues, ...agents.issues, ...platform.issues];
  if (issues.length > 0 || !tenant.value || !environment.value || !agents.value || !platform.value) {
    throw new ComponentArgsError("Tenant", name, issues);
  }
  return {
    tenant: tenant.value,
    namespace: args.namespace ?? tenant.value.name,
    existingNamespace: args.namespace !== undefined,
    environment: environment.value,
    agents: agents.value,
    platform: platform.value,
    ...(args.llmGateway ? { llmGateway: args.llmGateway } : {}),
    ...(args.stores ? { stores: args.stores } : {}),
    publicGateway: args.publicGateway ?? {
      namespace: PLATFORM_ENDPOINTS.gateway.namespace,
      podLabels: PLATFORM_ENDPOINTS.gateway.proxyPodLabels,
    },
  };
}

type NetworkPolicy = inputs.networking.v1.NetworkPolicy;

export interface TenantObjects {
  /** The Namespace, or, for a namespace made elsewhere, the patch of its labels (`NamespacePatch`). */
  namespace: inputs.core.v1.Namespace;
  resourceQuota: inputs.core.v1.ResourceQuota;
  limitRange: inputs.core.v1.LimitRange;
  /** Keyed by the suffix of their names: `default-deny`, `allow-dns`, … */
  networkPolicies: Record<string, NetworkPolicy>;
  role: inputs.rbac.v1.Role;
  roleBinding: inputs.rbac.v1.RoleBinding;
}

export const POD_SECURITY_LEVEL = "restricted";
/** Internal ranges internet egress never reaches: RFC 1918, and link-local (which holds IMDS, 169.254.169.254). */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] as const;
/** Named container port of every agent: probes, Service and `/metrics`. */
export const AGENT_PORT_NAME = "http";

/** Namespace selector by the name label the API server sets on every namespace. */
const namespaceNamed = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

export function tenantLabels(tenant: TenantConfig): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": "agentops",
    "app.kubernetes.io/managed-by": "pulumi",
    [LABELS.tenant]: tenant.name,
    [LABELS.costCenter]: tenant.costCenter,
  };
}

/**
 * Builds every object of the tenant. Pure: no Pulumi runtime needed.
 * @param name the component's name, for error messages @default the tenant's name
 * @throws {ComponentArgsError} on invalid arguments
 */
export function tenantObjects(args: TenantArgs, name = String(args.tenant.name)): TenantObjects {
  const { tenant, agents, platform, llmGateway, publicGateway, namespace, stores } = resolveTenantArgs(
    name,
    args,
  );
  const monitoring = platform.monitoringNamespace;
  const otel = platform.otelCollector;
  const labels = tenantLabels(tenant);
  const meta = (name: string) => ({ name, namespace, labels });
  const psa = Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, POD_SECURITY_LEVEL],
      [`pod-security.kubernetes.io/${mode}-version`, "latest"],
    ]),
  );
  const policy = (name: string, spec: inputs.networking.v1.NetworkPolicySpec): NetworkPolicy => ({
    metadata: meta(name),
    spec,
  });
  const q = tenant.quota;
  const limits = tenant.limitRange;
  const egressAgents = agents
    .filter((a) => a.tenant === tenant.name && a.internetEgress)
    .map((a) => a.name)
    .sort();

  const agentPods = { matchExpressions: [{ key: LABELS.agent, operator: "Exists" }] };

  const networkPolicies: Record<string, NetworkPolicy> = {
    // Everything else below is an exception to this.
    "default-deny": policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    "allow-dns": policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: namespaceNamed(PLATFORM_NAMESPACES.kubeSystem),
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    }),
    "allow-monitoring-scrape": policy("allow-monitoring-scrape", {
      podSelector: {},
      policyTypes: ["Ingress"],
      // A named port: each agent's own `port`, wherever it is, and nothing else of the pod.
      ingress: [
        {
          from: [{ namespaceSelector: namespaceNamed(monitoring) }],
          ports: [{ protocol: "TCP", port: AGENT_PORT_NAME }],
        },
      ],
    }),
    "allow-otlp-egress": policy("allow-otlp-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: namespaceNamed(otel.namespace) }],
          ports: [
            { protocol: "TCP", port: otel.grpcPort },
            { protocol: "TCP", port: otel.httpPort },
          ],
        },
      ],
    }),
    // The tenant is one team's trust boundary and its agents call each other's on-demand APIs (the
    // governance agents ask the security agent for scans); only the agents' HTTP port is opened.
    "allow-intra-namespace": policy("allow-intra-namespace", {
      podSelector: agentPods,
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: agentPods }], ports: [{ protocol: "TCP", port: AGENT_PORT_NAME }] }],
      egress: [{ to: [{ podSelector: agentPods }], ports: [{ protocol: "TCP", port: AGENT_PORT_NAME }] }],
    }),
  };
  if (egressAgents.length > 0) {
    networkPolicies["allow-internet-egress"] = policy("allow-internet-egress", {
      podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "In", values: egressAgents }] },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES] } }],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    });
  }

  const llmAgents = agents
    .filter((a) => a.tenant === tenant.name && a.llm.monthlyUsd > 0)
    .map((a) => a.name)
    .sort();
  if (llmGateway && llmAgents.length > 0) {
    networkPolicies["allow-llm-gateway-egress"] = policy("allow-llm-gateway-egress", {
      podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "In", values: llmAgents }] },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: namespaceNamed(llmGateway.namespace),
              podSelector: { matchLabels: { ...llmGateway.podLabels } },
            },
          ],
          ports: [{ protocol: "TCP", port: llmGateway.containerPort }],
        },
      ],
    });
  }

  // One egress policy per data store the tenant's agents use, for exactly those agents and that store.
  for (const [store, egress] of Object.entries(stores ?? {})) {
    const users = agents
      .filter((a) => a.tenant === tenant.name && a.stores.includes(store))
      .map((a) => a.name)
      .sort();
    if (users.length === 0 || egress.length === 0) continue;
    const key = `allow-store-${store}-egress`;
    networkPolicies[key] = policy(key, {
      podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "In", values: users }] },
      policyTypes: ["Egress"],
      egress: [...egress],
    });
  }

  // Exposed agents (README, Exposing an agent): the shared Gateway's proxies reach their HTTP port, the only
  // way in from outside the cluster; every other agent stays closed to them.
  const exposedAgents = agents
    .filter((a) => a.tenant === tenant.name && a.mode !== "scheduled" && a.expose !== undefined)
    .map((a) => a.name)
    .sort();
  if (exposedAgents.length > 0) {
    networkPolicies["allow-gateway-ingress"] = policy("allow-gateway-ingress", {
      podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "In", values: exposedAgents }] },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: namespaceNamed(publicGateway.namespace),
              podSelector: { matchLabels: { ...publicGateway.podLabels } },
            },
          ],
          ports: [{ protocol: "TCP", port: AGENT_PORT_NAME }],
        },
      ],
    });
  }

  return {
    namespace: { metadata: { name: namespace, labels: { ...labels, ...psa } } },
    resourceQuota: {
      metadata: meta("quota"),
      spec: {
        hard: {
          "requests.cpu": q.requests.cpu,
          "requests.memory": q.requests.memory,
          "limits.cpu": q.limits.cpu,
          "limits.memory": q.limits.memory,
          "requests.nvidia.com/gpu": String(q.gpu),
          persistentvolumeclaims: String(q.pvcs),
          "requests.storage": q.storage,
          "services.loadbalancers": String(q.loadBalancers),
          // Agents are reached through ClusterIP services; a NodePort would open every node.
          "services.nodeports": "0",
        },
      },
    },
    limitRange: {
      metadata: meta("limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: { ...limits.default },
            defaultRequest: { ...limits.defaultRequest },
            max: { ...limits.max },
          },
        ],
      },
    },
    networkPolicies,
    role: {
      metadata: meta(childName(tenant.name, "developer")),
      rules: [
        {
          apiGroups: [""],
          resources: [
            "pods",
            "services",
            "endpoints",
            "configmaps",
            "persistentvolumeclaims",
            "serviceaccounts",
            "events",
            "resourcequotas",
            "limitranges",
          ],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apps"],
          resources: ["deployments", "statefulsets", "replicasets"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: ["autoscaling"],
          resources: ["horizontalpodautoscalers"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: ["monitoring.coreos.com"],
          resources: ["servicemonitors"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["external-secrets.io"],
          resources: ["externalsecrets"],
          verbs: ["get", "list", "watch"],
        },
        // How their agents scale, what the VPA recommends (npm run rightsize reads it) and how they are exposed.
        {
          apiGroups: ["keda.sh"],
          resources: ["scaledobjects", "triggerauthentications"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["autoscaling.k8s.io"],
          resources: ["verticalpodautoscalers"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["gateway.networking.k8s.io"],
          resources: ["httproutes"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["gateway.envoyproxy.io"],
          resources: ["securitypolicies", "backendtrafficpolicies"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        // kubectl exec upgrades a GET to a WebSocket; since v1.31 that needs both get and create.
        { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
        // No `secrets`: their values are the agents' API keys, which live in Vault (audited, per-path policy);
        // read access here would bypass it. Exec into a pod can still see its environment: exec is audited.
      ],
    },
    roleBinding: {
      metadata: meta(childName(tenant.name, "developer")),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: childName(tenant.name, "developer"),
      },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: tenant.group }],
    },
  };
}

/**
 * One team's namespace and its guard rails. Pass the Kubernetes provider in `opts`.
 * @throws {ComponentArgsError} on invalid arguments, before anything is registered
 */
export class Tenant extends pulumi.ComponentResource {
  /** The namespace's name, known once the Namespace exists: depend on it to order agents after it. */
  public readonly namespace: pulumi.Output<string>;
  /** The validated tenant entry, defaults filled in; an `Agent` given this component reads it. */
  public readonly config: TenantConfig;
  /** Where the platform's services run, as this tenant opened its network to them; `Agent`'s default. */
  public readonly platform: PlatformEndpoints;

  constructor(name: string, args: TenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const resolved = resolveTenantArgs(name, args);
    super("agentops:tenancy:Tenant", name, {}, opts);
    this.config = resolved.tenant;
    this.platform = resolved.platform;
    const o = tenantObjects(args, name);
    // A namespace made elsewhere keeps its owner; the tenant adds its labels with a server-side patch.
    const ns = resolved.existingNamespace
      ? new k8s.core.v1.NamespacePatch(childName(name, "namespace-labels"), o.namespace, { parent: this })
      : new k8s.core.v1.Namespace(childName(name, "namespace"), o.namespace, { parent: this });
    // Everything else lives in the namespace, so it waits for it.
    const child = { parent: this, dependsOn: [ns] };
    new k8s.core.v1.ResourceQuota(childName(name, "quota"), o.resourceQuota, child);
    new k8s.core.v1.LimitRange(childName(name, "limits"), o.limitRange, child);
    for (const [suffix, policy] of Object.entries(o.networkPolicies)) {
      new k8s.networking.v1.NetworkPolicy(childName(name, suffix), policy, child);
    }
    const role = new k8s.rbac.v1.Role(childName(name, "role"), o.role, child);
    new k8s.rbac.v1.RoleBinding(childName(name, "role-binding"), o.roleBinding, {
      ...child,
      dependsOn: [ns, role],
    });
    this.namespace = pulumi.all([ns.metadata, resolved.namespace]).apply(([m, n]) => m?.name ?? n);
    this.registerOutputs({ namespace: this.namespace });
  }
}
