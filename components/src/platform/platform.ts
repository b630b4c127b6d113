import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { childName } from "../lib/names";
import { GRAFANA_ADMIN_SECRET } from "./addons/kube-prometheus-stack";
import { JAEGER_BADGER_CLAIM } from "./addons/jaeger";
import type { AddonContext, PlatformCluster } from "./context";
import { enabledAddons, type Addon } from "./registry";
import {
  certificateIssuers,
  NAMESPACE_SECURITY,
  secretStores,
  vaultCertificate,
  type CustomObject,
} from "./resources";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import type { Environment, PlatformConfig } from "../config";

export interface PlatformArgs {
  environment: Environment;
  /** The validated `agentops:platform`. */
  config: PlatformConfig;
  /** The cluster's capabilities and, on EKS, its cloud side (Loki's bucket, Vault's KMS key). */
  cluster: PlatformCluster;
  /** Seconds Helm waits for each release to become ready before rolling it back. @default 900 */
  timeoutSeconds?: number;
}

/**
 * The Helm platform: one release per add-on of the registry, the namespaces they run in, and the custom
 * resources that connect them (issuers, Vault's certificate, secret stores). Every in-cluster resource uses
 * the provider handed in through `opts`.
 */
export class Platform extends pulumi.ComponentResource {
  /** Releases by name. */
  public readonly releases: Record<string, k8s.helm.v3.Release> = {};
  /** The releases that install CRDs agents use (ServiceMonitor, ExternalSecret, Certificate): agents follow them. */
  public readonly crds: pulumi.Resource[] = [];
  /** Grafana's generated admin password. */
  public readonly grafanaAdminPassword: pulumi.Output<string>;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:platform:Platform", name, {}, opts);
    const ctx: AddonContext = { environment: args.environment, config: args.config, cluster: args.cluster };
    const addons = enabledAddons(ctx);
    const parent = { parent: this };

    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of new Set(addons.map((a) => a.namespace))) {
      if (ns === PLATFORM_NAMESPACES.kubeSystem) continue;
      const level = NAMESPACE_SECURITY[ns] ?? "restricted";
      namespaces.set(
        ns,
        new k8s.core.v1.Namespace(
          childName(name, ns),
          {
            metadata: {
              name: ns,
              labels: {
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "app.kubernetes.io/part-of": "agentops",
              },
            },
          },
          parent,
        ),
      );
    }

    const password = new random.RandomPassword(
      childName(name, "grafana-admin"),
      { length: 32, special: false },
      parent,
    );
    this.grafanaAdminPassword = password.result;
    const extras: Record<string, pulumi.Resource[]> = {};
    if (addons.some((a) => a.name === "kube-prometheus-stack")) {
      extras["kube-prometheus-stack"] = [
        new k8s.core.v1.Secret(
          childName(name, GRAFANA_ADMIN_SECRET),
          {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: PLATFORM_NAMESPACES.monitoring },
            type: "Opaque",
            stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password.result) },
          },
          { ...parent, dependsOn: namespaces.get(PLATFORM_NAMESPACES.monitoring) },
        ),
      ];
    }
    if (args.config.jaeger.storage === "badger" && addons.some((a) => a.name === "jaeger")) {
      extras["jaeger"] = [
        new k8s.core.v1.PersistentVolumeClaim(
          childName(name, JAEGER_BADGER_CLAIM),
          {
            metadata: { name: JAEGER_BADGER_CLAIM, namespace: PLATFORM_NAMESPACES.monitoring },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: args.config.jaeger.storageSize } },
            },
          },
          // The claim binds when Jaeger's pod is scheduled (WaitForFirstConsumer): do not wait for it.
          { ...parent, dependsOn: namespaces.get(PLATFORM_NAMESPACES.monitoring) },
        ),
      ];
    }

    const timeout = args.timeoutSeconds ?? 900;
    const declare = (addon: Addon, before: pulumi.Resource[]) =>
      new k8s.helm.v3.Release(
        childName(name, addon.name),
        {
          name: addon.name,
          chart: addon.chart,
          version: addon.version,
          repositoryOpts: addon.repository ? { repo: addon.repository } : undefined,
          namespace: addon.namespace,
          createNamespace: false,
          atomic: true,
          cleanupOnFail: true,
          timeout,
          values: addon.values(ctx),
        },
        { ...parent, dependsOn: before },
      );

    // Registry order lists every add-on after the ones it depends on.
    const custom = (obj: CustomObject, deps: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(childName(name, obj.kind.toLowerCase(), obj.metadata.name), obj, {
        ...parent,
        dependsOn: deps,
      });
    const ready: Record<string, pulumi.Resource[]> = {};
    for (const addon of addons) {
      const ns = namespaces.get(addon.namespace);
      const before = [
        ...(ns ? [ns] : []),
        ...(extras[addon.name] ?? []),
        ...addon.dependsOn.flatMap((d) => ready[d] ?? []),
      ];
      if (addon.name === "vault" && ready["cert-manager"]) {
        // Vault mounts its certificate: the Certificate comes before the release, after the CA issuer.
        before.push(custom(vaultCertificate(), [...ready["cert-manager"], ...(ns ? [ns] : [])]));
      }
      const release = declare(addon, before);
      this.releases[addon.name] = release;
      ready[addon.name] = [release];
      if (addon.installsCrds) this.crds.push(release);
      if (addon.name === "cert-manager") {
        // Issuers are part of cert-manager being ready: whatever follows it may ask for a certificate.
        ready[addon.name] = [release, ...certificateIssuers(ctx).map((obj) => custom(obj, [release]))];
      }
    }

    const eso = this.releases["external-secrets"];
    if (eso)
      for (const obj of secretStores(ctx))
        custom(obj, [eso, ...(this.releases["vault"] ? [this.releases["vault"]] : [])]);

    this.registerOutputs({ grafanaAdminPassword: this.grafanaAdminPassword });
  }
}
