import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AgentConfig, Environment, LlmGatewayConfig } from "../config";
import { gatewayPrometheusRule } from "./llm-gateway";
import { childName } from "../lib/names";
import { alertWebhookExternalSecret } from "./alerting";
import { dashboardConfigMaps } from "./dashboards";
import { prometheusRules } from "./rules";

export interface ObservabilityArgs {
  environment: Environment;
  /** Agents whose budgets and declared LLM spend become recording rules. @default [] (no budgets object) */
  agents?: readonly AgentConfig[];
  /**
   * What the rules and dashboards must follow: the monitoring namespace and kube-prometheus-stack (the
   * PrometheusRule CRD). @default none
   */
  monitoringReady?: pulumi.Input<pulumi.Resource>[];
  /**
   * The LLM gateway, when it runs: its spend rules are added and BudgetExceeded projects the
   * measured LLM spend instead of the declared one. @default undefined (declared LLM spend)
   */
  llmGateway?: LlmGatewayConfig;
  /** What the webhook's ExternalSecret must follow: external-secrets (its CRD) and Vault. @default none */
  secretsReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The platform's observability content: Grafana dashboards (ConfigMaps for the sidecar), PrometheusRules
 * (recording rules, budgets, alerts) and the ExternalSecret holding Alertmanager's webhook URL. Everything is
 * built by the pure functions of this folder; pass the Kubernetes provider in `opts` (or a parent's).
 */
export class Observability extends pulumi.ComponentResource {
  /** Kubernetes names of the PrometheusRules. */
  public readonly ruleNames: string[];
  /** Kubernetes names of the dashboard ConfigMaps. */
  public readonly dashboardNames: string[];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:observability:Observability", name, {}, opts);
    const monitoring = { parent: this, dependsOn: args.monitoringReady ?? [] };

    const gateway = args.llmGateway?.enabled ? args.llmGateway : undefined;
    const dashboards = dashboardConfigMaps({ measuredLlmSpend: gateway !== undefined });
    for (const cm of dashboards) new k8s.core.v1.ConfigMap(childName(name, cm.metadata.name), cm, monitoring);

    const rules = [
      ...prometheusRules(args.agents ?? [], { measuredLlmSpend: gateway !== undefined }),
      ...(gateway ? [gatewayPrometheusRule(gateway)] : []),
    ];
    for (const rule of rules)
      new k8s.apiextensions.CustomResource(
        childName(name, "prometheusrule", rule.metadata.name),
        rule,
        monitoring,
      );

    new k8s.apiextensions.CustomResource(
      childName(name, "alert-webhook"),
      alertWebhookExternalSecret(args.environment),
      { parent: this, dependsOn: [...(args.monitoringReady ?? []), ...(args.secretsReady ?? [])] },
    );

    this.ruleNames = rules.map((r) => r.metadata.name);
    this.dashboardNames = dashboards.map((d) => d.metadata.name);
    this.registerOutputs({ ruleNames: this.ruleNames, dashboardNames: this.dashboardNames });
  }
}
