import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AgentConfig, Environment, PlatformConfig } from "../config";
import { bedrockPodIdentity } from "../gateway/bedrock";
import { elastiCacheStore, COUNTER_STORE_PORT } from "../gateway/counter-store";
import { llmGatewayReplicas } from "../model/footprints/llm-gateway";
import { counterStoreAuthPushSecret, llmGatewayObjects } from "../gateway/objects";
import { gatewayPodMonitor } from "../observability/llm-gateway";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { generatedPassword } from "../lib/generated-secret";
import { childName } from "../lib/names";
import { releaseChart } from "./chart-files";
import { awsTags } from "../lib/tags";
import { Observability } from "../observability/observability";
import { openCostPricingConfigMap, type OpenCostPricingInput } from "../observability/opencost-pricing";
import { JAEGER_BADGER_CLAIM } from "./addons/jaeger";
import { VALKEY_RELEASE } from "./addons/valkey";
import { controllerReplicas, type AddonContext, type PlatformCluster, type PlatformStorage } from "./context";
import { kedaPodIdentity, podIdentityQueues } from "./keda";
import { enabledAddons, installOrder } from "./registry";
import {
  certificateIssuers,
  exposedAgents,
  gatewayObjects,
  NAMESPACE_SECURITY,
  secretStores,
  vaultCertificate,
  type CustomObject,
} from "./resources";

export interface PlatformArgs {
  /** The environment the stack is (`agentops:environment`); names the internal CA. No default. */
  environment: Environment;
  /** The validated `agentops:platform`; every size, retention and replica count comes from it. No default. */
  config: PlatformConfig;
  /**
   * The cluster's capabilities and, on EKS, its cloud side (Loki's bucket, Vault's KMS key, the cluster name
   * for the autoscaler). The handle `createCluster` returns fits as it is. No default.
   */
  cluster: PlatformCluster;
  /** Seconds Helm waits for each release to become ready before rolling it back. @default 900 */
  timeoutSeconds?: number;
  /** `protect` the data the platform itself declares (Jaeger's Badger volume) against deletion. @default false */
  protect?: boolean;
  /**
   * What the observability content needs from the rest of the stack: the agents (their budgets become
   * recording rules) and the price table and node groups OpenCost's custom pricing is derived from.
   * @default no agents; OpenCost's own default prices
   */
  observability?: { agents?: readonly AgentConfig[]; pricing?: OpenCostPricingInput };
  /**
   * The stack's agents: those with `llm.monthlyUsd > 0` get an LLM gateway credential and monthly limit (when
   * `config.llmGateway.enabled`); those with `expose` a listener and certificate on the shared Gateway; those
   * scaling on an SQS queue with Pod Identity a grant in the KEDA operator's role (EKS). @default []
   */
  agents?: readonly AgentConfig[];
  /**
   * What the data stores and volume backups need of the platform: the CSI snapshot controller (backups or
   * restores configured) and the CloudNativePG operator (a PostgreSQL store in the cluster). @default neither
   */
  storage?: PlatformStorage;
}

/** Secret in Envoy Gateway's namespace holding the counter store's AUTH password under `password`. */
export const COUNTER_STORE_AUTH_SECRET = { name: "llm-gateway-store-auth", key: "password" } as const;

const POD_SECURITY = (level: string) => ({
  "pod-security.kubernetes.io/enforce": level,
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
});

/**
 * The Helm platform: one release per add-on of the registry, the namespaces they run in, and the custom
 * resources that connect them (issuers, Vault's certificate, secret stores, the shared Gateway). Every
 * in-cluster resource uses the provider handed in through `opts` (`provider` or `providers`).
 */
export class Platform extends pulumi.ComponentResource {
  /** Releases by add-on name. */
  public readonly releases: Record<string, k8s.helm.v3.Release> = {};
  /**
   * The releases that install CRDs agents use (kube-prometheus-stack: ServiceMonitor, PrometheusRule;
   * external-secrets: ExternalSecret; cert-manager: Certificate; envoy-gateway: HTTPRoute). Agents `dependsOn` them.
   */
  public readonly crds: pulumi.Resource[] = [];
  /** The LLM gateway's counter store `host:port`, when the gateway runs. */
  public readonly counterStoreUrl: pulumi.Output<string> | undefined;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:platform:Platform", name, {}, opts);
    const ctx: AddonContext = {
      environment: args.environment,
      config: args.config,
      cluster: args.cluster,
      ...(args.storage ? { storage: args.storage } : {}),
    };
    const exposed = exposedAgents(args.agents ?? []);
    const gatewayConfig = args.config.llmGateway;
    const addons = installOrder(enabledAddons(ctx));
    const parent = { parent: this };
    const enabled = (addon: string) => addons.some((a) => a.name === addon);

    // kube-system exists and is not ours to label.
    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    const wanted = addons.flatMap((a) => [a.namespace, ...(a.otherNamespaces ?? [])]);
    for (const ns of new Set(wanted)) {
      if (ns === PLATFORM_NAMESPACES.kubeSystem) continue;
      const metadata = {
        name: ns,
        labels: {
          ...POD_SECURITY(NAMESPACE_SECURITY[ns] ?? "restricted"),
          "app.kubernetes.io/part-of": "agentops",
        },
      };
      namespaces.set(ns, new k8s.core.v1.Namespace(childName(name, ns), { metadata }, parent));
    }
    const inNamespace = (ns: string) => {
      const found = namespaces.get(ns);
      return found ? [found] : [];
    };

    const custom = (obj: CustomObject, dependsOn: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(childName(name, obj.kind.toLowerCase(), obj.metadata.name), obj, {
        ...parent,
        dependsOn,
      });

    // Objects a release needs before it installs, by add-on; `lateNeeds` are declared when the add-on's turn
    // comes, so they can wait for the add-ons it follows (an ExternalSecret for External Secrets).
    const needs: Record<string, pulumi.Resource[]> = {};
    const lateNeeds: Record<string, (done: Record<string, pulumi.Resource[]>) => pulumi.Resource[]> = {};
    // Bedrock providers sign with Pod Identity where the cluster is EKS and has it, else with a credentials file
    // from Vault. The role's association comes before the gateway's proxies start.
    const bedrockViaPodIdentity = args.cluster.cloud !== undefined && args.cluster.capabilities.podIdentity;
    let bedrockAccess: pulumi.Resource | undefined;
    let counterStoreAuth: pulumi.Resource | undefined;
    if (gatewayConfig.enabled) {
      // The counter store's AUTH password, in one Kubernetes Secret that Envoy Gateway's rate-limit service
      // (REDIS_AUTH) and, off EKS, Valkey read. On EKS it is generated here, a secret in state, because the
      // ElastiCache replication group takes it at creation; off EKS External Secrets generates it in the
      // cluster, never in state (lib/generated-secret.ts), before Valkey installs.
      const cloud = args.cluster.cloud;
      let url: pulumi.Output<string>;
      if (cloud) {
        const auth = new random.RandomPassword(
          childName(name, "llm-gateway-store-auth"),
          { length: 64, special: false },
          parent,
        );
        const authSecret = new k8s.core.v1.Secret(
          childName(name, COUNTER_STORE_AUTH_SECRET.name),
          {
            metadata: { name: COUNTER_STORE_AUTH_SECRET.name, namespace: PLATFORM_NAMESPACES.gateway },
            type: "Opaque",
            stringData: { [COUNTER_STORE_AUTH_SECRET.key]: pulumi.secret(auth.result) },
          },
          { ...parent, dependsOn: inNamespace(PLATFORM_NAMESPACES.gateway) },
        );
        counterStoreAuth = authSecret;
        needs["envoy-gateway"] = [authSecret];
        if (!cloud.network) {
          throw new Error(
            "platform: llmGateway on EKS needs cluster.cloud.network (VPC, private subnets, cluster security group) for its ElastiCache counter store",
          );
        }
        if (bedrockViaPodIdentity) {
          bedrockAccess = bedrockPodIdentity(
            childName(name, "llm-gateway"),
            {
              gateway: gatewayConfig,
              clusterName: cloud.clusterName,
              accountId: cloud.accountId,
              tags: awsTags(args.environment),
            },
            this,
          );
        }
        url = elastiCacheStore(
          childName(name, "llm-gateway"),
          {
            gateway: gatewayConfig,
            network: cloud.network,
            authToken: auth.result,
            protect: args.protect ?? false,
            tags: awsTags(args.environment),
          },
          this,
        ).url;
      } else {
        url = pulumi.output(
          `${VALKEY_RELEASE}.${PLATFORM_NAMESPACES.gateway}.svc.cluster.local:${COUNTER_STORE_PORT}`,
        );
        lateNeeds[VALKEY_RELEASE] = (done) => {
          const made = generatedPassword({
            name: COUNTER_STORE_AUTH_SECRET.name,
            namespace: PLATFORM_NAMESPACES.gateway,
            key: COUNTER_STORE_AUTH_SECRET.key,
            length: 64,
            labels: { "app.kubernetes.io/part-of": "agentops" },
          });
          const secrets = [...(done["external-secrets"] ?? []), ...inNamespace(PLATFORM_NAMESPACES.gateway)];
          const generator = custom(made.generator as CustomObject, secrets);
          const externalSecret = custom(made.externalSecret as CustomObject, [...secrets, generator]);
          counterStoreAuth = externalSecret;
          return [externalSecret];
        };
      }
      ctx.counterStore = { url, tls: cloud !== undefined, authSecret: COUNTER_STORE_AUTH_SECRET };
      this.counterStoreUrl = url;
    } else {
      this.counterStoreUrl = undefined;
    }
    // SQS queue lengths through the KEDA operator's Pod Identity: its role and association exist before its pods.
    const cloud = args.cluster.cloud;
    const kedaQueues = podIdentityQueues(args.agents ?? []);
    if (enabled("keda") && cloud && args.cluster.capabilities.podIdentity && kedaQueues.length > 0) {
      const association = kedaPodIdentity(
        name,
        {
          queues: kedaQueues,
          clusterName: cloud.clusterName,
          accountId: cloud.accountId,
          tags: awsTags(args.environment),
        },
        this,
      );
      if (association) {
        ctx.kedaPodIdentity = true;
        needs["keda"] = [association];
      }
    }
    if (enabled("opencost")) {
      // OpenCost mounts its pricing (derived from the cost model's price table) at start.
      needs["opencost"] = [
        new k8s.core.v1.ConfigMap(
          childName(name, "opencost-pricing"),
          openCostPricingConfigMap(args.observability?.pricing),
          { ...parent, dependsOn: inNamespace(PLATFORM_NAMESPACES.monitoring) },
        ),
      ];
    }
    if (enabled("jaeger") && args.config.jaeger.storage === "badger") {
      needs["jaeger"] = [
        new k8s.core.v1.PersistentVolumeClaim(
          childName(name, JAEGER_BADGER_CLAIM),
          {
            metadata: {
              name: JAEGER_BADGER_CLAIM,
              namespace: PLATFORM_NAMESPACES.monitoring,
              // The claim binds only once Jaeger's pod is scheduled (WaitForFirstConsumer).
              annotations: { "pulumi.com/skipAwait": "true" },
            },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: args.config.jaeger.storageSize } },
            },
          },
          {
            ...parent,
            protect: args.protect ?? false,
            dependsOn: inNamespace(PLATFORM_NAMESPACES.monitoring),
          },
        ),
      ];
    }

    const timeout = args.timeoutSeconds ?? 900;
    const chartDirectory = args.config.charts?.directory;
    // What "add-on X is installed" means to those that follow it: its release, plus for cert-manager its issuers.
    const done: Record<string, pulumi.Resource[]> = {};
    for (const addon of addons) {
      const before = [
        ...inNamespace(addon.namespace),
        ...(addon.otherNamespaces ?? []).flatMap(inNamespace),
        ...(needs[addon.name] ?? []),
        ...(lateNeeds[addon.name]?.(done) ?? []),
        ...addon.dependsOn.flatMap((d) => done[d] ?? []),
      ];
      if (addon.name === "vault") {
        // Vault's pods mount the Secret this Certificate fills: it comes first, after the CA issuer.
        before.push(
          custom(vaultCertificate(), [...(done["cert-manager"] ?? []), ...inNamespace(addon.namespace)]),
        );
      }
      const release = new k8s.helm.v3.Release(
        childName(name, addon.name),
        {
          name: addon.name,
          ...releaseChart(addon, chartDirectory),
          namespace: addon.namespace,
          createNamespace: false,
          atomic: true,
          cleanupOnFail: true,
          timeout,
          values: addon.values(ctx),
        },
        {
          ...parent,
          dependsOn: before,
          ignoreChanges: (addon.claimTemplateValues ?? []).map((p) => `values.${p}`),
        },
      );
      this.releases[addon.name] = release;
      if (addon.installsCrds) this.crds.push(release);
      done[addon.name] = [release];
      if (addon.name === "cert-manager") {
        // The issuers are part of cert-manager being ready: whatever follows it may ask for a certificate.
        done[addon.name] = [release, ...certificateIssuers(ctx).map((obj) => custom(obj, [release]))];
      }
      if (
        addon.name === "envoy-gateway" &&
        (args.config.certManager.acmeEmail !== undefined || exposed.length > 0)
      ) {
        // A public Gateway is a public load balancer: it comes with public certificates (an ACME e-mail), which
        // its HTTP-01 challenges need, or with the first exposed agent; without either the controller idles at
        // no cost. Class and EnvoyProxy before the Gateway; each certificate after its issuer.
        const objects = gatewayObjects(exposed, controllerReplicas(ctx));
        const cls = custom(
          objects.find((o) => o.kind === "GatewayClass")!,
          [release],
        );
        const proxy = custom(
          objects.find((o) => o.kind === "EnvoyProxy")!,
          [release],
        );
        custom(
          objects.find((o) => o.kind === "Gateway")!,
          [release, cls, proxy],
        );
        for (const certificate of objects.filter((o) => o.kind === "Certificate")) {
          custom(certificate, [...(done["cert-manager"] ?? []), ...inNamespace(PLATFORM_NAMESPACES.gateway)]);
        }
      }
    }

    const eso = this.releases["external-secrets"];
    const vault = this.releases["vault"];
    let vaultStore: pulumi.Resource | undefined;
    if (eso) {
      for (const store of secretStores(ctx)) {
        // The Vault store reads Vault's CA from its TLS Secret and logs in to it: both exist once Vault does.
        const usesVault = store.spec.provider !== undefined && "vault" in (store.spec.provider as object);
        if (usesVault && !vault) continue;
        const declared = custom(store, usesVault && vault ? [eso, vault] : [eso]);
        if (usesVault) vaultStore = declared;
      }
    }
    if (counterStoreAuth && vaultStore) {
      // The store's AUTH token is kept in Vault too, where operators find it (ExternalSecrets' PushSecret).
      custom(counterStoreAuthPushSecret(args.environment, COUNTER_STORE_AUTH_SECRET) as CustomObject, [
        vaultStore,
        counterStoreAuth,
      ]);
    }

    const prometheus = this.releases["kube-prometheus-stack"];
    if (gatewayConfig.enabled) {
      // After the CRDs (Envoy Gateway's, the AI Gateway's, External Secrets'), the AI Gateway controller (its
      // webhook mutates the proxies) and Vault (the ExternalSecrets read it).
      const ready = [
        ...["envoy-gateway", "ai-gateway-crds", "ai-gateway", "external-secrets", "vault"].flatMap(
          (a) => done[a] ?? [],
        ),
        ...(bedrockAccess ? [bedrockAccess] : []),
      ];
      for (const obj of llmGatewayObjects({
        gateway: gatewayConfig,
        agents: args.agents ?? [],
        environment: args.environment,
        replicas: llmGatewayReplicas(args.config),
        podIdentity: bedrockViaPodIdentity,
      })) {
        custom(obj as CustomObject, ready);
      }
      if (prometheus) custom(gatewayPodMonitor() as CustomObject, [...ready, prometheus]);
    }
    if (prometheus) {
      // Dashboards, rules and alert routing: after the PrometheusRule CRD; the webhook's ExternalSecret after
      // external-secrets and Vault.
      new Observability(
        childName(name, "observability"),
        {
          environment: args.environment,
          agents: args.observability?.agents,
          llmGateway: gatewayConfig,
          monitoringReady: [...inNamespace(PLATFORM_NAMESPACES.monitoring), prometheus],
          secretsReady: [...(eso ? [eso] : []), ...(vault ? [vault] : [])],
        },
        parent,
      );
    }

    this.registerOutputs({
      counterStoreUrl: this.counterStoreUrl,
    });
  }
}
