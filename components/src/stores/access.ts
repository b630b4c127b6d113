/**
 * What an agent that uses a store gets, and where its network policy lets it go: pure functions of where each
 * store is (its endpoint). Connection settings go into the agent's ConfigMap as `<STORE>_…` variables, its
 * credentials into its Secret through External Secrets from Vault (`stores/<env>/<store>` for what the store's
 * users share, `stores/<env>/<store>/<agent>` for the agent's own), so no credential passes through Pulumi.
 */
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import type { AgentStoreAccess } from "../agents/objects";
import type { StoreEngine } from "../config/stores";
import { PRIVATE_RANGES } from "../tenancy/tenant";
import { agentStoreNames, storeNames, STORES_NAMESPACE } from "./names";

/** The PostgreSQL and Redis-protocol ports, on AWS and in the cluster. */
export const STORE_PORTS = { postgres: 5432, valkey: 6379 } as const;

/**
 * The EKS Pod Identity agent: a pod's AWS SDK fetches its credentials from this link-local address (TCP 80),
 * which the internet egress policy excludes (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).
 */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

/** Where one store is, as the agents reach it. */
export type StoreEndpoint =
  | {
      engine: "postgres";
      host: pulumi.Input<string>;
      database: string;
      /** Where the agents' egress may go (VPC CIDR on EKS; the CloudNativePG pods in the cluster). */
      to: inputs.networking.v1.NetworkPolicyPeer[];
    }
  | {
      engine: "valkey";
      host: pulumi.Input<string>;
      /** TLS in transit (ElastiCache) or plain (in the cluster, where traffic stays on the pod network). */
      tls: boolean;
      to: inputs.networking.v1.NetworkPolicyPeer[];
    }
  | {
      engine: "s3";
      bucket: pulumi.Input<string>;
      region: string;
      /** An S3-compatible endpoint (existing clusters); AWS's S3 when absent. */
      endpoint?: string;
      /** On EKS the agent gets AWS credentials through Pod Identity; elsewhere access keys from Vault. */
      podIdentity: boolean;
      to: inputs.networking.v1.NetworkPolicyPeer[];
      port: number;
    };

/** The pods a store runs in the cluster, as a network policy peer in the stores' namespace. */
export function inClusterPeer(podLabels: Record<string, string>): inputs.networking.v1.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": STORES_NAMESPACE } },
    podSelector: { matchLabels: podLabels },
  };
}

/** Anywhere outside the private and link-local ranges: AWS's public S3 endpoints (no prefix list in a NetworkPolicy). */
export const PUBLIC_INTERNET: inputs.networking.v1.NetworkPolicyPeer = {
  ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES] },
};

/** What one agent gets from the stores it uses, merged over the stores. */
export function agentStoreAccess(
  environment: string,
  agent: string,
  uses: readonly string[],
  endpoints: Readonly<Record<string, StoreEndpoint>>,
): AgentStoreAccess {
  const env: Record<string, pulumi.Input<string>> = {};
  const secrets: { secretKey: string; remoteKey: string; property: string }[] = [];
  let podIdentity = false;
  for (const store of uses) {
    const e = endpoints[store];
    if (!e) continue;
    const s = storeNames(environment, store);
    const a = agentStoreNames(environment, store, agent);
    const P = s.envPrefix;
    switch (e.engine) {
      case "postgres":
        Object.assign(env, {
          [`${P}_DB_HOST`]: e.host,
          [`${P}_DB_PORT`]: String(STORE_PORTS.postgres),
          [`${P}_DB_NAME`]: e.database,
          [`${P}_DB_USER`]: a.role,
          // The server refuses connections without TLS (rds.force_ssl; pg_hba hostnossl reject in the cluster).
          [`${P}_DB_SSLMODE`]: "require",
        });
        secrets.push({ secretKey: `${P}_DB_PASSWORD`, remoteKey: a.vaultKey, property: "password" });
        break;
      case "valkey":
        Object.assign(env, {
          [`${P}_REDIS_HOST`]: e.host,
          [`${P}_REDIS_PORT`]: String(STORE_PORTS.valkey),
          [`${P}_REDIS_TLS`]: String(e.tls),
          // One store, several agents: each keeps to its own keys (a convention; the store has one password).
          [`${P}_REDIS_KEY_PREFIX`]: a.keyPrefix,
        });
        secrets.push({ secretKey: `${P}_REDIS_PASSWORD`, remoteKey: s.vaultKey, property: "password" });
        break;
      case "s3":
        Object.assign(env, {
          [`${P}_S3_BUCKET`]: e.bucket,
          [`${P}_S3_PREFIX`]: a.objectPrefix,
          [`${P}_S3_REGION`]: e.region,
          ...(e.endpoint ? { [`${P}_S3_ENDPOINT`]: e.endpoint, [`${P}_S3_FORCE_PATH_STYLE`]: "true" } : {}),
        });
        if (e.podIdentity) podIdentity = true;
        else {
          secrets.push(
            { secretKey: `${P}_S3_ACCESS_KEY_ID`, remoteKey: a.vaultKey, property: "accessKeyId" },
            { secretKey: `${P}_S3_SECRET_ACCESS_KEY`, remoteKey: a.vaultKey, property: "secretAccessKey" },
          );
        }
        break;
    }
  }
  return { env, secrets, podIdentity };
}

/** The egress rules that reach one store: its endpoint's peers on its port (S3 on EKS: the Pod Identity agent too). */
export function storeEgress(endpoint: StoreEndpoint): inputs.networking.v1.NetworkPolicyEgressRule[] {
  const port =
    endpoint.engine === "s3"
      ? endpoint.port
      : STORE_PORTS[endpoint.engine satisfies Exclude<StoreEngine, "s3">];
  const rules: inputs.networking.v1.NetworkPolicyEgressRule[] = [
    { to: endpoint.to, ports: [{ protocol: "TCP", port }] },
  ];
  if (endpoint.engine === "s3" && endpoint.podIdentity) {
    rules.push({
      to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
      ports: [{ protocol: "TCP", port: POD_IDENTITY_AGENT.port }],
    });
  }
  return rules;
}
