/**
 * An agent's traffic objects, as pure builders: how KEDA scales it (ScaledObject, TriggerAuthentication), what
 * the Vertical Pod Autoscaler recommends for it (VerticalPodAutoscaler, recommendation only), and how it is
 * exposed on the platform's shared Gateway (HTTPRoute, SecurityPolicy, BackendTrafficPolicy, the OIDC client
 * secret). The Gateway's listener and certificate per hostname are the platform's (platform/resources.ts
 * `exposedListeners`); the network policy admitting the Gateway's proxies is the tenant's.
 *
 * Sources: KEDA 2.20 ScaledObject and TriggerAuthentication (keda.sh/v1alpha1, CRDs of the keda 2.20.2 chart;
 * keda.sh/docs/2.20 scalers prometheus, redis-lists, aws-sqs, cpu, memory; authentication-providers aws and
 * secret); the admission webhook's ownership transfer (kedacore/keda apis/keda/v1alpha1
 * scaledobject_webhook.go `verifyHpas`); VPA 1.7 (autoscaling.k8s.io/v1, CRD of the vertical-pod-autoscaler
 * 0.11.0 chart); Gateway API v1 HTTPRoute and Envoy Gateway v1.8 SecurityPolicy / BackendTrafficPolicy (CRDs of
 * gateway-helm v1.8.2).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { AgentConfig, ServiceAgentConfig } from "../config/agents";
import type { Environment } from "../config/environments";
import type { TenantConfig } from "../config/tenants";
import type { QueueConfig } from "../config/traffic";
import { sqsRegion } from "../config/traffic";
import { exposedListenerName, PLATFORM_ENDPOINTS } from "../lib/contract";
import { GATEWAY_JOB, GATEWAY_REQUEST_DURATION } from "../observability/llm-gateway";
import { AGENT_TELEMETRY } from "../observability/metrics";
import { agentObjectNames } from "./names";

type Custom = k8s.apiextensions.CustomResourceArgs;
type Meta = Record<string, unknown>;

/** KEDA's annotation that lets a new ScaledObject take over the HPA named in its `horizontalPodAutoscalerConfig`. */
export const TRANSFER_HPA_OWNERSHIP = "scaledobject.keda.sh/transfer-hpa-ownership";
/** Seconds between KEDA's checks of each trigger (KEDA's default). */
export const KEDA_POLLING_SECONDS = 30;
/**
 * Seconds the last trigger must stay inactive before KEDA takes a queue agent from one pod to zero (KEDA's
 * default; the HPA's scale-down behaviour governs everything above one pod).
 */
export const KEDA_COOLDOWN_SECONDS = 300;
/** Rate window of the request queries: four scrapes at the 30 s interval of the agents' and gateway's monitors. */
export const REQUEST_RATE_WINDOW = "2m";
/** Header the Gateway sets from a verified JWT's `sub`, the key of the per-client rate limit. */
export const CLIENT_HEADER = "x-agentops-client";
/** Key of the OIDC client secret in the Secret the SecurityPolicy reads (Envoy Gateway's fixed key). */
export const OIDC_CLIENT_SECRET_KEY = "client-secret";

/**
 * The PromQL of an agent's request trigger: the total over its pods, which KEDA hands to the HPA as an
 * `AverageValue` metric (the HPA divides by the current pods, so `perPod` is a per-pod target).
 * - Through the LLM gateway (the agent calls LLMs through it): the AI Gateway's request duration histogram
 *   (`gen_ai.server.request.duration`, scraped from the proxies with `agent` = the agent's name).
 * - Otherwise the agent's own HTTP server histogram (`http.server.request.duration`, the agents' telemetry
 *   contract in observability/metrics.ts), job `<tenant>/<agent>`.
 * `requestRate` is the rate of the histogram's count; `inFlight` the rate of its sum of seconds, which is the
 * mean number of requests in flight over the window (Little's law). `or vector(0)`: no traffic is zero, not
 * an error.
 */
export function requestQuery(
  agent: { name: string },
  tenant: { name: string },
  signal: "requestRate" | "inFlight",
  throughLlmGateway: boolean,
): string {
  const suffix = signal === "requestRate" ? "count" : "sum";
  const selector = throughLlmGateway
    ? `job="${GATEWAY_JOB}", agent="${agent.name}"`
    : `job="${tenant.name}/${agent.name}"`;
  const metric = throughLlmGateway ? GATEWAY_REQUEST_DURATION : AGENT_TELEMETRY.requestDuration;
  return `sum(rate(${metric}_${suffix}{${selector}}[${REQUEST_RATE_WINDOW}])) or vector(0)`;
}

/** The queue trigger and, for its credentials, the TriggerAuthentication's spec. */
function queueTrigger(queue: QueueConfig, auth: string, secret: string) {
  const authenticationRef = { name: auth };
  if (queue.kind === "redis") {
    return {
      trigger: {
        type: "redis",
        name: "queue",
        metadata: {
          address: queue.address,
          listName: queue.list,
          listLength: String(queue.perPod),
          // Any item wakes the agent from zero pods.
          activationListLength: "0",
          enableTLS: String(queue.tls),
        },
        authenticationRef,
      },
      auth: {
        secretTargetRef: [{ parameter: "password", name: secret, key: queue.credentials.password }],
      },
    };
  }
  return {
    trigger: {
      type: "aws-sqs-queue",
      name: "queue",
      metadata: {
        queueURL: queue.queueUrl,
        queueLength: String(queue.perPod),
        activationQueueLength: "0",
        awsRegion: sqsRegion(queue.queueUrl),
        // Messages being worked on count too: a pod busy with the last message is not scaled away.
        scaleOnInFlight: "true",
      },
      authenticationRef,
    },
    auth:
      queue.credentials.from === "podIdentity"
        ? // The KEDA operator's own Pod Identity role (platform/keda.ts), allowed to read this queue's length.
          { podIdentity: { provider: "aws" } }
        : {
            secretTargetRef: [
              { parameter: "awsAccessKeyID", name: secret, key: queue.credentials.accessKeyId },
              { parameter: "awsSecretAccessKey", name: secret, key: queue.credentials.secretAccessKey },
            ],
          },
  };
}

/**
 * The ScaledObject that replaces an agent's HPA, and its TriggerAuthentication when a queue needs credentials.
 * - Triggers: the request trigger (`scaling.requests`), the queue trigger (`scaling.queue`), CPU and memory
 *   utilisation at the `autoscaling` targets; the HPA KEDA makes follows the largest.
 * - Bounds `replicas.min`/`max`; with a queue and `min: 0` KEDA scales to zero once every trigger has been
 *   inactive for {@link KEDA_COOLDOWN_SECONDS} and back to one on the first queued item (CPU and memory cannot
 *   wake a pod that does not run, which KEDA allows beside another trigger).
 * - `advanced.horizontalPodAutoscalerConfig`: the `autoscaling` behaviour, and the HPA's name: the agent's, the
 *   name of the HPA it had before, which the ownership-transfer annotation lets the ScaledObject adopt (KEDA's
 *   webhook refuses a ScaledObject whose workload another HPA scales). Switching from the HPA therefore applies
 *   in one deploy: the ScaledObject is created and adopts the HPA, Pulumi deletes its own HPA resource, KEDA
 *   re-creates the HPA it owns on its next reconcile; the workload and its pods are untouched.
 */
export function scalingObjects(args: {
  agent: ServiceAgentConfig;
  tenant: TenantConfig;
  meta: (name: string) => Meta;
  throughLlmGateway: boolean;
}): { scaledObject: Custom; triggerAuthentication?: Custom } | undefined {
  const { agent, tenant, meta, throughLlmGateway } = args;
  const scaling = agent.scaling;
  if (!scaling) return undefined;
  const names = agentObjectNames(agent);
  const triggers: Record<string, unknown>[] = [];
  if (scaling.requests) {
    triggers.push({
      type: "prometheus",
      name: "requests",
      metricType: "AverageValue",
      metadata: {
        serverAddress: PLATFORM_ENDPOINTS.prometheusUrl,
        query: requestQuery(agent, tenant, scaling.requests.signal, throughLlmGateway),
        threshold: String(scaling.requests.perPod),
        // An empty answer (no series yet) is 0, not a scaler error.
        ignoreNullValues: "true",
      },
    });
  }
  let triggerAuthentication: Custom | undefined;
  if (scaling.queue) {
    const q = queueTrigger(scaling.queue, names.triggerAuthentication, names.secret);
    triggers.push(q.trigger);
    triggerAuthentication = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: meta(names.triggerAuthentication),
      spec: q.auth,
    };
  }
  const utilization = (type: "cpu" | "memory", value: number) => ({
    type,
    metricType: "Utilization",
    metadata: { value: String(value) },
  });
  triggers.push(
    utilization("cpu", agent.autoscaling.cpuUtilization),
    utilization("memory", agent.autoscaling.memoryUtilization),
  );
  const base = meta(names.scaledObject) as { annotations?: Record<string, string> };
  const scaledObject: Custom = {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { ...base, annotations: { ...base.annotations, [TRANSFER_HPA_OWNERSHIP]: "true" } },
    spec: {
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: agent.storage ? "StatefulSet" : "Deployment",
        name: names.workload,
      },
      minReplicaCount: agent.replicas.min,
      maxReplicaCount: agent.replicas.max,
      pollingInterval: KEDA_POLLING_SECONDS,
      cooldownPeriod: KEDA_COOLDOWN_SECONDS,
      advanced: {
        horizontalPodAutoscalerConfig: { name: names.hpa, behavior: hpaBehavior(agent) },
      },
      triggers,
    },
  };
  return { scaledObject, ...(triggerAuthentication ? { triggerAuthentication } : {}) };
}

/**
 * The HPA behaviour of `autoscaling`: up by the larger of its two policies, so small agents can still add pods
 * fast; down by the smaller. The same for the HPA and for the ScaledObject's HPA.
 */
export function hpaBehavior(agent: ServiceAgentConfig) {
  const rule = (r: ServiceAgentConfig["autoscaling"]["scaleUp"], selectPolicy: "Max" | "Min") => ({
    stabilizationWindowSeconds: r.stabilizationSeconds,
    selectPolicy,
    policies: [
      { type: "Percent", value: r.percent, periodSeconds: r.periodSeconds },
      { type: "Pods", value: r.pods, periodSeconds: r.periodSeconds },
    ],
  });
  return {
    scaleUp: rule(agent.autoscaling.scaleUp, "Max"),
    scaleDown: rule(agent.autoscaling.scaleDown, "Min"),
  };
}

/**
 * A VerticalPodAutoscaler in recommendation mode (`updateMode: "Off"`: nothing is evicted or rewritten) for
 * one workload of the agent: the recommender writes target requests for the agent's container into its
 * status, which `npm run rightsize` reads. Requests only (limits stay the stack file's), at most the tenant's
 * LimitRange maximum (a larger request could not be admitted).
 */
export function verticalPodAutoscaler(args: {
  meta: Meta;
  target: { apiVersion: string; kind: string; name: string };
  container: string;
  tenant: TenantConfig;
}): Custom {
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: args.meta,
    spec: {
      targetRef: args.target,
      updatePolicy: { updateMode: "Off" },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: args.container,
            controlledResources: ["cpu", "memory"],
            controlledValues: "RequestsOnly",
            maxAllowed: { cpu: args.tenant.limitRange.max.cpu, memory: args.tenant.limitRange.max.memory },
          },
        ],
      },
    },
  };
}

/**
 * What exposing an agent adds in its namespace:
 * - an HTTPRoute from `hostname` and the `path` prefix to the agent's Service (port 80), attached to its
 *   listener on the shared Gateway;
 * - with `auth`, a SecurityPolicy on the route: JWT (the issuer's JWKS, accepted audiences; the token's `sub`
 *   copied to {@link CLIENT_HEADER} for the rate limit) or OIDC sign-in (client secret from Vault through an
 *   ExternalSecret into the key Envoy Gateway reads; callback and logout under the path);
 * - a BackendTrafficPolicy with a global rate limit per client: `rateLimit.requestsPerMinute` per JWT subject,
 *   else per client address (Envoy Gateway's global rate-limit service; a local limit cannot tell clients
 *   apart).
 */
export function exposureObjects(args: {
  agent: ServiceAgentConfig;
  environment: Environment;
  meta: (name: string) => Meta;
  secretStore: { kind: string; name: string };
}):
  | { httpRoute: Custom; securityPolicy?: Custom; rateLimitPolicy: Custom; oidcExternalSecret?: Custom }
  | undefined {
  const { agent, meta } = args;
  const expose = agent.expose;
  if (!expose) return undefined;
  const names = agentObjectNames(agent);
  const gw = PLATFORM_ENDPOINTS.gateway;
  const routeRef = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: names.httpRoute }];
  const httpRoute: Custom = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta(names.httpRoute),
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: gw.name,
          namespace: gw.namespace,
          sectionName: exposedListenerName(agent),
        },
      ],
      hostnames: [expose.hostname],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: expose.path } }],
          backendRefs: [{ group: "", kind: "Service", name: names.service, port: 80 }],
        },
      ],
    },
  };
  const out: ReturnType<typeof exposureObjects> = {
    httpRoute,
    rateLimitPolicy: {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "BackendTrafficPolicy",
      metadata: meta(names.rateLimitPolicy),
      spec: {
        targetRefs: routeRef,
        rateLimit: {
          global: {
            rules: [
              {
                clientSelectors: [
                  expose.auth?.kind === "jwt"
                    ? { headers: [{ name: CLIENT_HEADER, type: "Distinct" }] }
                    : { sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } },
                ],
                limit: { requests: expose.rateLimit.requestsPerMinute, unit: "Minute" },
              },
            ],
          },
        },
      },
    },
  };
  const auth = expose.auth;
  if (auth?.kind === "jwt") {
    out.securityPolicy = {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "SecurityPolicy",
      metadata: meta(names.securityPolicy),
      spec: {
        targetRefs: routeRef,
        jwt: {
          providers: [
            {
              name: "issuer",
              issuer: auth.issuer,
              audiences: auth.audiences,
              remoteJWKS: { uri: auth.jwksUri },
              claimToHeaders: [{ claim: "sub", header: CLIENT_HEADER }],
            },
          ],
        },
      },
    };
  } else if (auth?.kind === "oidc") {
    const base = `https://${expose.hostname}${expose.path.replace(/\/$/, "")}`;
    out.oidcExternalSecret = {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: meta(names.oidcSecret),
      spec: {
        refreshInterval: "1h",
        secretStoreRef: args.secretStore,
        target: { name: names.oidcSecret, creationPolicy: "Owner" },
        data: [
          {
            secretKey: OIDC_CLIENT_SECRET_KEY,
            remoteRef: { key: `agents/${args.environment}/${agent.name}`, property: auth.clientSecret },
          },
        ],
      },
    };
    out.securityPolicy = {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "SecurityPolicy",
      metadata: meta(names.securityPolicy),
      spec: {
        targetRefs: routeRef,
        oidc: {
          provider: { issuer: auth.issuer },
          clientID: auth.clientId,
          clientSecret: { group: "", kind: "Secret", name: names.oidcSecret },
          redirectURL: `${base}/oauth2/callback`,
          logoutPath: `${expose.path.replace(/\/$/, "")}/logout`,
        },
      },
    };
  }
  return out;
}

/** The VerticalPodAutoscalers of an agent: its service workload's and its CronJob's. */
export function agentVerticalPodAutoscalers(args: {
  agent: AgentConfig;
  service: boolean;
  job: boolean;
  tenant: TenantConfig;
  meta: (name: string, component: "service" | "job") => Meta;
  container: string;
}): { serviceVpa?: Custom; jobVpa?: Custom } {
  const { agent } = args;
  const names = agentObjectNames(agent);
  const out: { serviceVpa?: Custom; jobVpa?: Custom } = {};
  if (args.service) {
    out.serviceVpa = verticalPodAutoscaler({
      meta: args.meta(names.serviceVpa, "service"),
      target: {
        apiVersion: "apps/v1",
        kind: agent.storage ? "StatefulSet" : "Deployment",
        name: names.workload,
      },
      container: args.container,
      tenant: args.tenant,
    });
  }
  if (args.job) {
    out.jobVpa = verticalPodAutoscaler({
      meta: args.meta(names.jobVpa, "job"),
      target: { apiVersion: "batch/v1", kind: "CronJob", name: names.cronJob },
      container: args.container,
      tenant: args.tenant,
    });
  }
  return out;
}
