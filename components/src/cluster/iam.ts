/**
 * IAM policy documents of the cluster, as typed objects built by pure functions (no `getPolicyDocument`
 * invokes), so tests read the exact statements and the engine gets `JSON.stringify` of them.
 */
import type { WorkloadIdentity } from "../lib/contract";
import { bedrockProfileModel } from "../catalog/bedrock";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: { Service?: string | string[]; AWS?: string } | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Where ARNs point: resolved from the provider (`getCallerIdentity`, `getPartition`) and the config. */
export interface AwsScope {
  partition: string;
  region: string;
  accountId: string;
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/** An AWS managed policy ARN. */
export const managedPolicy = (partition: string, name: string): string =>
  `arn:${partition}:iam::aws:policy/${name}`;

/**
 * Managed policies per role. Nodes get only what the kubelet needs to join and pull images; the VPC CNI's
 * ENI permissions live on the `aws-node` Pod Identity role instead of every node, so a pod that reaches the
 * node's credentials cannot rewire the VPC's network interfaces.
 */
export const MANAGED_POLICIES = {
  cluster: ["AmazonEKSClusterPolicy"],
  // PullOnly rather than ReadOnly: nodes pull images and never need to list or describe repositories.
  node: ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"],
  vpcCni: ["AmazonEKS_CNI_Policy"],
  ebsCsi: ["AmazonEBSCSIDriverPolicy"],
} as const;

/** Trust for an AWS service principal, e.g. `eks.amazonaws.com` (the control plane) or `ec2.amazonaws.com`. */
export function serviceTrust(service: string): PolicyDocument {
  return doc({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
}

/**
 * Trust for EKS Pod Identity, narrowed by the session tags EKS sets to one cluster, namespace and service
 * account of this account: another association in the account cannot borrow the role.
 */
export function podIdentityTrust(
  scope: AwsScope,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  return doc({
    Sid: "AllowEksAuthToAssumeRoleForPodIdentity",
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Condition: {
      StringEquals: {
        "aws:SourceAccount": scope.accountId,
        "aws:RequestTag/eks-cluster-name": clusterName,
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": serviceAccount,
      },
    },
  });
}

/** The control plane's use of the secrets key for envelope encryption. */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
    Resource: keyArn,
  });
}

/** EBS CSI on top of AmazonEBSCSIDriverPolicy: use of the volume key, grants only for AWS resources (EC2). */
export function ebsCsiKmsPolicy(keyArn: string): PolicyDocument {
  return doc(
    {
      Sid: "VolumeKeyGrants",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: keyArn,
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
    {
      Sid: "VolumeKeyUse",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: keyArn,
    },
  );
}

/**
 * The cluster autoscaler's documented minimal policy: describe calls (which take no resource), and scaling
 * only of Auto Scaling groups tagged as this cluster's.
 */
export function clusterAutoscalerPolicy(scope: AwsScope, clusterName: string): PolicyDocument {
  return doc(
    {
      Sid: "ScaleOwnGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: "*",
    },
    {
      Sid: "DescribeOwnNodegroups",
      Effect: "Allow",
      Action: "eks:DescribeNodegroup",
      Resource: `arn:${scope.partition}:eks:${scope.region}:${scope.accountId}:nodegroup/${clusterName}/*`,
    },
  );
}

/** Loki's chunks and index: its one bucket, nothing else. */
export function lokiBucketPolicy(bucketArn: string): PolicyDocument {
  return doc(
    { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    {
      Sid: "ReadWriteObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: `${bucketArn}/*`,
    },
  );
}

/** Vault's KMS auto-unseal: wrap and unwrap the root key with its one key. */
export function vaultUnsealPolicy(keyArn: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
    Resource: keyArn,
  });
}

/** The Secrets Manager prefix External Secrets may read: `agentops/<env>/`. */
export function secretsPrefixArn(scope: AwsScope, environment: string): string {
  return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.accountId}:secret:agentops/${environment}/*`;
}

/** External Secrets: read-only, and only the environment's own secrets. */
export function externalSecretsPolicy(scope: AwsScope, environment: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Action: [
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
      "secretsmanager:ListSecretVersionIds",
    ],
    Resource: secretsPrefixArn(scope, environment),
  });
}

/**
 * The LLM gateway's Bedrock role: invoke (Converse and InvokeModel, streaming or not) the configured models and
 * nothing else. A foundation model ID is allowed in `scope.region`; an inference profile ID is allowed as the
 * profile of this account and region, and its foundation model in whichever region the profile routes to, but
 * only through that profile (`bedrock:InferenceProfileArn`), as
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html describes. Subscribing to
 * Marketplace models and enabling model access stay with the account's administrators.
 * @throws Error when `modelIds` is empty.
 */
export function bedrockInvokePolicy(scope: AwsScope, modelIds: readonly string[]): PolicyDocument {
  if (modelIds.length === 0) throw new Error("bedrockInvokePolicy: no models");
  const actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
  const arn = (account: string, region: string, resource: string) =>
    `arn:${scope.partition}:bedrock:${region}:${account}:${resource}`;
  const sorted = [...modelIds].sort();
  const foundation = sorted.filter((m) => bedrockProfileModel(m) === undefined);
  const profiles = sorted.filter((m) => bedrockProfileModel(m) !== undefined);
  const profileArns = profiles.map((m) => arn(scope.accountId, scope.region, `inference-profile/${m}`));
  const statements: PolicyStatement[] = [];
  if (foundation.length > 0) {
    statements.push({
      Sid: "InvokeFoundationModels",
      Effect: "Allow",
      Action: actions,
      Resource: foundation.map((m) => arn("", scope.region, `foundation-model/${m}`)),
    });
  }
  if (profiles.length > 0) {
    statements.push(
      { Sid: "InvokeInferenceProfiles", Effect: "Allow", Action: actions, Resource: profileArns },
      {
        Sid: "InvokeProfileModelsThroughProfiles",
        Effect: "Allow",
        Action: actions,
        // Any region; a global profile's model is also named without a region, which `*` may not match.
        Resource: [
          ...new Set(
            profiles.flatMap((m) => {
              const model = `foundation-model/${bedrockProfileModel(m)}`;
              return m.startsWith("global.")
                ? [arn("", "*", model), arn("", "", model)]
                : [arn("", "*", model)];
            }),
          ),
        ],
        Condition: { StringEquals: { "bedrock:InferenceProfileArn": profileArns } },
      },
    );
  }
  return doc(...statements);
}

/** Denies every request to the bucket that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return doc({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

/** Kebab-case suffix of a workload identity's child resources: `cluster-autoscaler`, `external-secrets`, … */
export function identitySuffix(id: WorkloadIdentity): string {
  return id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
