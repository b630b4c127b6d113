import * as pulumi from "@pulumi/pulumi";
import { WORKLOAD_IDENTITIES } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";
import { VAULT } from "../../model/footprints/vault";

/** The Secret cert-manager writes Vault's serving certificate to (tls.crt, tls.key, ca.crt). */
export const VAULT_TLS_SECRET = "vault-server-tls";
const TLS_DIR = `/vault/userconfig/${VAULT_TLS_SECRET}`;

/**
 * The chart's headless Service of the server pods (`<fullname>-internal`; the release is named `vault`, so
 * the fullname is `vault`): each pod is `vault-<ordinal>.vault-internal` in its namespace.
 */
export const VAULT_PEER_SERVICE = "vault-internal";

/** The API addresses of the raft peers, one per replica, by the stable names the certificate covers. */
export function vaultPeerAddresses(replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `https://vault-${i}.${VAULT_PEER_SERVICE}:8200`);
}

/** Vault's server configuration (HCL): TLS listener, storage, and auto-unseal with AWS KMS on EKS. */
export function vaultConfig(ctx: AddonContext): pulumi.Output<string> {
  const { ha } = ctx.config.vault;
  const cloud = ctx.cluster.cloud;
  // One retry_join per peer, by its stable DNS name (`vault-<i>.vault-internal`, which the certificate's
  // `*.vault-internal` covers). `auto_join` would dial the pods' IPs, which the certificate cannot name, so
  // TLS verification of the leader would fail and HA would never form ("x509: certificate is valid for …, not
  // vault-N.vault-internal"). Per-peer leader_api_addr is the chart's documented fix:
  // https://developer.hashicorp.com/vault/docs/platform/k8s/helm/examples/ha-tls
  const joins = vaultPeerAddresses(ctx.config.vault.replicas)
    .map(
      (addr) => `  retry_join {
    leader_api_addr     = "${addr}"
    leader_ca_cert_file = "${TLS_DIR}/ca.crt"
  }`,
    )
    .join("\n");
  const storage = ha
    ? `storage "raft" {
  path = "/vault/data"
${joins}
}
service_registration "kubernetes" {}`
    : `storage "file" {
  path = "/vault/data"
}`;
  const seal = cloud
    ? pulumi.interpolate`seal "awskms" {
  region     = "${cloud.region}"
  kms_key_id = "${cloud.vaultKmsKeyId}"
}`
    : pulumi.output(
        "# No cloud KMS here: Vault starts sealed; unseal it with the key shares from `vault operator init`.",
      );
  // mlock would need the IPC_LOCK capability, which `restricted` forbids; raft storage is encrypted anyway.
  return pulumi.interpolate`ui = true
disable_mlock = true
listener "tcp" {
  address         = "[::]:8200"
  cluster_address = "[::]:8201"
  tls_cert_file   = "${TLS_DIR}/tls.crt"
  tls_key_file    = "${TLS_DIR}/tls.key"
  tls_client_ca_file = "${TLS_DIR}/ca.crt"
}
${storage}
${seal}`;
}

/**
 * HashiCorp Vault: standalone, or HA on integrated storage (raft) with an odd number of voters; TLS from
 * cert-manager; auto-unseal with the cluster's KMS key through Pod Identity. The agent injector is off:
 * agents get secrets through External Secrets, not sidecars.
 */
export function vaultValues(ctx: AddonContext): Values {
  const { vault } = ctx.config;
  const config = vaultConfig(ctx);
  return {
    global: { tlsDisable: false },
    injector: { enabled: false },
    server: {
      resources: resources(VAULT, "1", "1Gi"),
      serviceAccount: { create: true, name: WORKLOAD_IDENTITIES.vault.serviceAccount },
      dataStorage: { enabled: true, size: vault.storageSize },
      // VAULT_ADDR is the chart's own (https://127.0.0.1:8200 with global.tlsDisable false): set here too, the
      // container would list it twice, which server-side apply refuses (a list keyed by name).
      extraEnvironmentVars: { VAULT_CACERT: `${TLS_DIR}/ca.crt` },
      // /tmp: the chart's start command writes the effective config to /tmp/storageconfig.hcl, and the root
      // filesystem is read-only.
      volumes: [
        { name: "tls", secret: { secretName: VAULT_TLS_SECRET } },
        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
      ],
      volumeMounts: [
        { name: "tls", mountPath: TLS_DIR, readOnly: true },
        { name: "tmp", mountPath: "/tmp" },
      ],
      // A new Vault is uninitialised and sealed until `vault operator init`: counted ready anyway, or the first
      // atomic install would wait for it and roll back. Only the active node is selected by `vault-active`.
      readinessProbe: { path: "/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204" },
      standalone: { enabled: !vault.ha, config },
      ha: { enabled: vault.ha, replicas: vault.replicas, raft: { enabled: true, setNodeId: true, config } },
      statefulSet: {
        securityContext: {
          pod: {
            runAsNonRoot: true,
            runAsUser: 100,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          container: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
        },
      },
    },
  };
}
