/**
 * Where Alertmanager sends alerts: a webhook whose URL lives in Vault. External Secrets copies it into a
 * Secret in the monitoring namespace; the Alertmanager pods mount that Secret
 * (`alertmanager.alertmanagerSpec.secrets`) and the receiver reads the URL from the file (`url_file`), so the
 * URL is never in Helm values, the release's stored manifest or Pulumi state.
 */
import type { Environment } from "../config";
import { PLATFORM_ENDPOINTS, PLATFORM_NAMESPACES } from "../lib/contract";

export const ALERT_WEBHOOK = {
  /** The Secret (and ExternalSecret) in the monitoring namespace. */
  secret: "alertmanager-webhook",
  /** Key of the URL in that Secret. */
  key: "url",
  /** Property of the Vault KV v2 entry that holds the URL. */
  vaultProperty: "webhook-url",
  /** Name of the Alertmanager receiver. */
  receiver: "agentops-webhook",
} as const;

/** The Vault KV v2 entry (under the `secret/` engine) of an environment's alert webhook. */
export const alertWebhookVaultKey = (environment: Environment) => `platform/${environment}/alertmanager`;

/** Where the operator mounts the Secrets listed in `alertmanagerSpec.secrets`. */
export const ALERT_WEBHOOK_URL_FILE = `/etc/alertmanager/secrets/${ALERT_WEBHOOK.secret}/${ALERT_WEBHOOK.key}`;

/** The ExternalSecret that copies the webhook URL from Vault. */
export function alertWebhookExternalSecret(environment: Environment) {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: {
      name: ALERT_WEBHOOK.secret,
      namespace: PLATFORM_NAMESPACES.monitoring,
      labels: { "app.kubernetes.io/part-of": "agentops" },
    },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: PLATFORM_ENDPOINTS.vaultSecretStore },
      target: { name: ALERT_WEBHOOK.secret, creationPolicy: "Owner" },
      data: [
        {
          secretKey: ALERT_WEBHOOK.key,
          remoteRef: { key: alertWebhookVaultKey(environment), property: ALERT_WEBHOOK.vaultProperty },
        },
      ],
    },
  };
}

/**
 * Alertmanager's configuration (merged by Helm over the chart's `alertmanager.config`, whose global settings,
 * inhibit rules and templates stay): everything to the webhook, the always-firing Watchdog to nowhere.
 */
export function alertmanagerConfig() {
  return {
    route: {
      receiver: ALERT_WEBHOOK.receiver,
      group_by: ["alertname", "namespace", "tenant", "agent"],
      routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
    },
    receivers: [
      { name: "null" },
      {
        name: ALERT_WEBHOOK.receiver,
        webhook_configs: [{ url_file: ALERT_WEBHOOK_URL_FILE, send_resolved: true }],
      },
    ],
  };
}
