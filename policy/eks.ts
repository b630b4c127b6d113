/**
 * EKS hardening over the AWS provider's resource inputs: secrets envelope-encrypted with a KMS key, control
 * plane audit logs, no API endpoint open to the internet, IMDSv2 on node launch templates, and nodes in
 * private subnets.
 *
 * Private subnet rule (checkable before anything exists): every subnet of every node group must be an
 * `aws:ec2/subnet:Subnet` declared in the stack, with `mapPublicIpOnLaunch` not true, and not associated
 * (`aws:ec2/routeTableAssociation:RouteTableAssociation`) with a route table that routes to an internet
 * gateway (an inline route or an `aws:ec2/route:Route` whose `gatewayId` is an
 * `aws:ec2/internetGateway:InternetGateway` of the stack or starts with `igw-`). A subnet that is not declared
 * in the stack cannot be checked and fails unless `allowUndeclaredSubnets` is set.
 */
import { resourcePolicy, stackPolicy } from "./define";
import { asArray, get, isRecord, refersTo, violation, type Finding, type StackResource } from "./kube";

const CLUSTER = "aws:eks/cluster:Cluster";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const SUBNET = "aws:ec2/subnet:Subnet";

export function checkSecretsEncryption(props: Record<string, unknown>): string[] {
  const config = props.encryptionConfig;
  const resources = asArray(get(config, "resources"));
  const keyArn = get(config, "provider.keyArn");
  if (!isRecord(config))
    return [
      violation(
        "encryptionConfig",
        config,
        "must encrypt secrets with a KMS key: { resources: [secrets], provider: { keyArn } }",
      ),
    ];
  const out: string[] = [];
  if (!resources.includes("secrets"))
    out.push(violation("encryptionConfig.resources", config.resources, "must include secrets"));
  if (typeof keyArn !== "string" || keyArn === "")
    out.push(violation("encryptionConfig.provider.keyArn", keyArn, "must be a KMS key ARN"));
  return out;
}

export interface ControlPlaneLoggingConfig {
  requiredLogTypes: string[];
}

export function checkControlPlaneLogging(
  props: Record<string, unknown>,
  config: ControlPlaneLoggingConfig,
): string[] {
  const enabled = asArray(props.enabledClusterLogTypes);
  const missing = config.requiredLogTypes.filter((t) => !enabled.includes(t));
  return missing.length === 0
    ? []
    : [
        violation(
          "enabledClusterLogTypes",
          props.enabledClusterLogTypes,
          `must include ${config.requiredLogTypes.join(", ")} (missing: ${missing.join(", ")})`,
        ),
      ];
}

export function checkEndpointAccess(props: Record<string, unknown>): string[] {
  const vpc = isRecord(props.vpcConfig) ? props.vpcConfig : {};
  // The provider's defaults: a public endpoint, open to 0.0.0.0/0.
  if (vpc.endpointPublicAccess === false) return [];
  const cidrs = asArray(vpc.publicAccessCidrs);
  if (cidrs.length === 0) {
    return [
      violation(
        "vpcConfig.endpointPublicAccess",
        vpc.endpointPublicAccess,
        "must be false, or publicAccessCidrs must list the networks allowed (the default is 0.0.0.0/0)",
      ),
    ];
  }
  return cidrs.includes("0.0.0.0/0")
    ? [violation("vpcConfig.publicAccessCidrs", vpc.publicAccessCidrs, "must not include 0.0.0.0/0")]
    : [];
}

export function checkImdsV2(props: Record<string, unknown>): string[] {
  const tokens = get(props, "metadataOptions.httpTokens");
  return tokens === "required"
    ? []
    : [violation("metadataOptions.httpTokens", tokens, 'must be "required" (IMDSv2 only)')];
}

export interface PrivateSubnetsConfig {
  allowUndeclaredSubnets: boolean;
}

export function checkNodeSubnets(
  resources: readonly StackResource[],
  config: PrivateSubnetsConfig,
): Finding[] {
  const ofType = (t: string) => resources.filter((r) => r.type === t);
  const subnets = ofType(SUBNET);
  const gateways = ofType("aws:ec2/internetGateway:InternetGateway");
  const tables = ofType("aws:ec2/routeTable:RouteTable");
  const routes = ofType("aws:ec2/route:Route");
  const associations = ofType("aws:ec2/routeTableAssociation:RouteTableAssociation");

  const toInternet = (gatewayId: unknown, route: StackResource, prop: string) =>
    (typeof gatewayId === "string" && gatewayId.startsWith("igw-")) ||
    gateways.some((g) => refersTo(route, prop, g));
  const publicTable = (table: StackResource) =>
    asArray(table.props.routes).some(
      (r) => isRecord(r) && r.gatewayId !== undefined && toInternet(r.gatewayId, table, "routes"),
    ) ||
    routes.some((r) => refersTo(r, "routeTableId", table) && toInternet(r.props.gatewayId, r, "gatewayId"));

  const findings: Finding[] = [];
  for (const ng of ofType(NODE_GROUP)) {
    const declared = subnets.filter((s) => refersTo(ng, "subnetIds", s));
    const ids = asArray(ng.props.subnetIds);
    const matchedIds = new Set(declared.map((s) => s.props.id));
    const undeclared = ids.filter((id) => !matchedIds.has(id));
    if (!config.allowUndeclaredSubnets && declared.length < ids.length) {
      findings.push({
        urn: ng.urn,
        message: violation(
          "subnetIds",
          undeclared,
          "must be subnets declared in this stack, so that they can be checked to be private",
        ),
      });
    }
    for (const subnet of declared) {
      if (subnet.props.mapPublicIpOnLaunch === true) {
        findings.push({
          urn: ng.urn,
          message: `subnetIds: subnet ${JSON.stringify(subnet.name)} has mapPublicIpOnLaunch true — node groups must use private subnets`,
        });
      }
      const table = associations
        .filter((a) => refersTo(a, "subnetId", subnet))
        .flatMap((a) => tables.filter((t) => refersTo(a, "routeTableId", t)))
        .find(publicTable);
      if (table) {
        findings.push({
          urn: ng.urn,
          message: `subnetIds: subnet ${JSON.stringify(subnet.name)} routes to an internet gateway (route table ${JSON.stringify(table.name)}) — node groups must use private subnets`,
        });
      }
    }
  }
  return findings;
}

export const eksSecretsEncryption = resourcePolicy<Record<string, never>>({
  name: "eks-secrets-encryption",
  description: "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  check: (r) => (r.type === CLUSTER ? checkSecretsEncryption(r.props) : []),
});

export const eksControlPlaneLogging = resourcePolicy<ControlPlaneLoggingConfig>({
  name: "eks-control-plane-logging",
  description: "EKS clusters send the api, audit and authenticator control plane logs to CloudWatch.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string" },
        default: ["api", "audit", "authenticator"],
      },
    },
  },
  check: (r, config) => (r.type === CLUSTER ? checkControlPlaneLogging(r.props, config) : []),
});

export const eksEndpointAccess = resourcePolicy<Record<string, never>>({
  name: "eks-endpoint-access",
  description: "The EKS API endpoint is private, or public only to listed networks other than 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  check: (r) => (r.type === CLUSTER ? checkEndpointAccess(r.props) : []),
});

export const launchTemplateImdsV2 = resourcePolicy<Record<string, never>>({
  name: "launch-template-imdsv2",
  description: "EC2 launch templates require IMDSv2 session tokens.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  check: (r) => (r.type === LAUNCH_TEMPLATE ? checkImdsV2(r.props) : []),
});

export const eksNodesPrivateSubnets = stackPolicy<PrivateSubnetsConfig>({
  name: "eks-nodes-private-subnets",
  description:
    "EKS node groups run in private subnets: no public IPs on launch, no route to an internet gateway.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowUndeclaredSubnets: { type: "boolean", default: false } } },
  check: checkNodeSubnets,
});
