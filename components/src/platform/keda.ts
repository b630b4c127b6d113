/**
 * The KEDA operator's AWS access on EKS: agents that scale on an SQS queue with `credentials.from:
 * podIdentity` have their TriggerAuthentication use the operator's own identity (`podIdentity.provider: aws`),
 * so the operator's service account gets one EKS Pod Identity role that may read those queues' attributes (the
 * message counts) and nothing else. The agents themselves read and delete messages with credentials of their
 * own; this role cannot.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrust, type PolicyDocument } from "../cluster/iam";
import type { AgentConfig } from "../config";
import { sqsQueueArn } from "../config/traffic";
import { PLATFORM_ENDPOINTS } from "../lib/contract";
import { childName } from "../lib/names";

/** The SQS queue URLs KEDA reads with Pod Identity: those of agents with `credentials.from: podIdentity`, sorted. */
export function podIdentityQueues(agents: readonly AgentConfig[]): string[] {
  const urls = agents.flatMap((a) => {
    const queue = a.mode !== "scheduled" ? a.scaling?.queue : undefined;
    return queue?.kind === "sqs" && queue.credentials.from === "podIdentity" ? [queue.queueUrl] : [];
  });
  return [...new Set(urls)].sort();
}

/** `sqs:GetQueueAttributes` (what KEDA's aws-sqs-queue scaler calls) on exactly these queues. */
export function kedaSqsPolicy(queueUrls: readonly string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadQueueLengths",
        Effect: "Allow",
        Action: ["sqs:GetQueueAttributes"],
        Resource: queueUrls.map(sqsQueueArn),
      },
    ],
  };
}

export interface KedaPodIdentityArgs {
  /** The queues' URLs ({@link podIdentityQueues}); none: nothing is declared. */
  queues: readonly string[];
  clusterName: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** @default {} */
  tags?: Record<string, string>;
}

/**
 * Declares the KEDA operator's role (trusted only by EKS Pod Identity for `keda/keda-operator` of this cluster
 * and account), its inline policy ({@link kedaSqsPolicy}) and the association; the association waits for the
 * policy, so an operator pod started after it can read the queues at once.
 * @returns the association, or `undefined` when no queue needs it.
 */
export function kedaPodIdentity(
  name: string,
  args: KedaPodIdentityArgs,
  parent: pulumi.Resource,
): aws.eks.PodIdentityAssociation | undefined {
  if (args.queues.length === 0) return undefined;
  const { namespace, serviceAccount } = PLATFORM_ENDPOINTS.kedaOperator;
  const partition = aws.getPartitionOutput({}, { parent }).partition;
  const opts = { parent };
  const tags = args.tags ?? {};
  const role = new aws.iam.Role(
    childName(name, "keda"),
    {
      description: "AgentOps KEDA operator: read the SQS queue lengths agents scale on (EKS Pod Identity)",
      assumeRolePolicy: pulumi
        .all([partition, args.accountId, args.clusterName])
        .apply(([p, accountId, clusterName]) =>
          JSON.stringify(
            podIdentityTrust({ partition: p, accountId, region: "" }, clusterName, namespace, serviceAccount),
          ),
        ),
      tags,
    },
    opts,
  );
  const read = new aws.iam.RolePolicy(
    childName(name, "keda", "sqs"),
    { role: role.id, policy: JSON.stringify(kedaSqsPolicy(args.queues)) },
    opts,
  );
  return new aws.eks.PodIdentityAssociation(
    childName(name, "keda", "pod-identity"),
    { clusterName: args.clusterName, namespace, serviceAccount, roleArn: role.arn, tags },
    { parent, dependsOn: [read] },
  );
}
