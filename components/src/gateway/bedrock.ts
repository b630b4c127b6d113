/**
 * Amazon Bedrock behind the LLM gateway. On EKS the gateway's proxy pods call Bedrock with EKS Pod Identity: the
 * proxies run under one fixed service account (the EnvoyProxy's `envoyServiceAccount`, which Envoy Gateway
 * creates), an association binds it to a role that may invoke the configured models only, and the AI Gateway's
 * external processor in each proxy pod signs requests with the credentials the default AWS chain finds there
 * (BackendSecurityPolicy `awsCredentials` with a region only). No AWS key exists anywhere.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bedrockInvokePolicy, podIdentityTrust } from "../cluster/iam";
import type { LlmGatewayConfig } from "../config";
import { PLATFORM_ENDPOINTS } from "../lib/contract";
import { childName } from "../lib/names";
import { bedrockRegion } from "../catalog/bedrock";
import { bedrockProviders } from "../config/platform";

export interface BedrockPodIdentityArgs {
  /** `platform.llmGateway`: its AWSBedrock providers' hosts (regions) and models. */
  gateway: LlmGatewayConfig;
  /** The EKS cluster the association belongs to. */
  clusterName: pulumi.Input<string>;
  /** The cluster's account: the trust is narrowed to it, the inference profiles are its own. */
  accountId: pulumi.Input<string>;
  /** Resource tags. @default {} */
  tags?: Record<string, string>;
}

/**
 * Declares, when the gateway has AWSBedrock providers, the gateway's Bedrock role (trusted only by EKS Pod
 * Identity for the proxies' service account of this cluster and account), its inline policy (per provider
 * region, invoking only the models routed there: `bedrockInvokePolicy`) and the association that binds the
 * service account to it. EKS allows one association per service account, hence one role for all providers.
 * The association depends on the policy, so a proxy that starts after it can invoke at once.
 * @returns the association, or `undefined` when no provider is Bedrock.
 * @throws Error when a Bedrock provider's host is not a Bedrock runtime host (the configuration refuses it first).
 */
export function bedrockPodIdentity(
  name: string,
  args: BedrockPodIdentityArgs,
  parent: pulumi.Resource,
): aws.eks.PodIdentityAssociation | undefined {
  const providers = bedrockProviders(args.gateway);
  if (providers.length === 0) return undefined;
  const { namespace, serviceAccount } = PLATFORM_ENDPOINTS.llmGateway;
  const partition = aws.getPartitionOutput({}, { parent }).partition;
  const scope = pulumi
    .all([partition, args.accountId, args.clusterName])
    .apply(([p, accountId, clusterName]) => ({ partition: p, accountId, clusterName }));
  const byRegion = new Map<string, string[]>();
  for (const p of providers) {
    const region = bedrockRegion(p.host);
    if (region === undefined) throw new Error(`bedrockPodIdentity: ${p.host} is not a Bedrock runtime host`);
    byRegion.set(region, [...(byRegion.get(region) ?? []), ...p.models]);
  }
  const policy = scope.apply((s) => ({
    Version: "2012-10-17" as const,
    Statement: [...byRegion].flatMap(([region, models]) =>
      bedrockInvokePolicy({ ...s, region }, models).Statement.map((st) => ({
        ...st,
        Sid: `${st.Sid ?? ""}${region.replace(/-/g, "")}`,
      })),
    ),
  }));
  const opts = { parent };
  const tags = args.tags ?? {};
  const role = new aws.iam.Role(
    childName(name, "bedrock"),
    {
      description: "AgentOps LLM gateway: invoke the configured Bedrock models (EKS Pod Identity)",
      assumeRolePolicy: scope.apply((s) =>
        JSON.stringify(podIdentityTrust({ ...s, region: "" }, s.clusterName, namespace, serviceAccount)),
      ),
      tags,
    },
    opts,
  );
  const invoke = new aws.iam.RolePolicy(
    childName(name, "bedrock", "invoke"),
    { role: role.id, policy: policy.apply((d) => JSON.stringify(d)) },
    opts,
  );
  return new aws.eks.PodIdentityAssociation(
    childName(name, "bedrock", "pod-identity"),
    { clusterName: args.clusterName, namespace, serviceAccount, roleArn: role.arn, tags },
    { parent, dependsOn: [invoke] },
  );
}
