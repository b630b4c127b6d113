/**
 * EksCluster: a new EKS cluster with everything it needs to run the platform and agents — a new VPC (or the
 * subnets of an existing one), control plane, system / spot / GPU managed node groups, EKS add-ons, Pod
 * Identity roles for the in-cluster components that call AWS, Loki's bucket, Vault's unseal key, a default
 * encrypted StorageClass and the Kubernetes provider.
 * Built with @pulumi/aws directly, so every child is visible to tests and to the policy pack.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EKS_ACCESS_POLICIES, type EksClusterConfig, type Environment } from "../config";
import { clusterNameFor } from "../config/stack-names";

/** Name suffix of an access policy association (`agentops-admin-0-cluster-admin`). */
const ACCESS_POLICY_SUFFIX = { clusterAdmin: "cluster-admin", view: "view" } as const;
import { WORKLOAD_IDENTITIES, type WorkloadIdentity } from "../lib/contract";
import { awsTags } from "../lib/tags";
import { childName } from "../lib/names";
import {
  clusterAutoscalerPolicy,
  clusterKmsPolicy,
  ebsCsiKmsPolicy,
  externalSecretsPolicy,
  identitySuffix,
  lokiBucketPolicy,
  MANAGED_POLICIES,
  managedPolicy,
  podIdentityTrust,
  serviceTrust,
  tlsOnlyBucketPolicy,
  vaultUnsealPolicy,
  type AwsScope,
  type PolicyDocument,
} from "./iam";
import { eksKubeconfig } from "./kubeconfig";
import { createNetwork, type Network } from "./network";
import {
  launchTemplateSpec,
  NODE_GROUP_NAMES,
  nodeGroupSpec,
  zonalScaling,
  zoneSuffix,
  type ClusterNodeGroup,
} from "./node-groups";
import { EKS_ADDON_VERSIONS, type EksAddonName } from "../catalog/kubernetes";

/** Control plane log types always on: who called the API, what changed, and how they authenticated. */
export const BASE_LOG_TYPES = ["api", "audit", "authenticator"] as const;
/** The default StorageClass this component declares. */
export const STORAGE_CLASS_NAME = "gp3";

/**
 * Kubernetes provider settings that keep everyday edits in place: ConfigMaps and Secrets are updated, not
 * replaced, when their data changes (the provider's default replaces them, pulumi-kubernetes
 * provider/pkg/provider/diff.go `forceNewProperties`); pods roll through their config-hash annotation.
 */
export const KUBERNETES_PROVIDER_DAY2 = { enableConfigMapMutable: true, enableSecretMutable: true } as const;

/** The cluster's name and its stem (config/stack-names.ts), here where the cluster is named. */
export { clusterNameFor, MAX_OWN_STACK_NAME } from "../config/stack-names";

export interface EksClusterArgs {
  /** The validated `agentops:cluster` (`mode: eks`). */
  config: EksClusterConfig;
  /** Environment: names the cluster `agentops-<env>` and scopes External Secrets to `agentops/<env>/*`. */
  environment: Environment;
  /**
   * The stack's name: a stack that is not its environment's own (an ephemeral `it-1a2b3c4d` from dev's stack
   * file) names the cluster, and so its log group, bucket and node groups, `agentops-<stack>`.
   * @default the environment's own names
   */
  stack?: string;
  /** AWS region (`aws:region`): subnets' zones, endpoint service names, ARNs and the token command. */
  region: string;
  /** Days the control plane's CloudWatch log group keeps logs. @default 90 */
  controlPlaneLogRetentionDays?: number;
  /** Days Loki's bucket keeps log objects (a backstop behind Loki's own retention). @default 90 */
  lokiRetentionDays?: number;
  /** Tags on every AWS resource, on top of `Project`, `Environment` and `ManagedBy`. @default {} */
  tags?: Record<string, string>;
  /**
   * Volume snapshots are used (backups, restores): the EBS CSI controller runs its `csi-snapshotter` sidecar.
   * The add-on renders it only when the snapshot CRDs exist at install, which the platform's snapshot-controller
   * installs later, so it is forced (`sidecars.snapshotter.forceEnable`). @default false
   */
  volumeSnapshots?: boolean;
}

/** The aws-ebs-csi-driver add-on's configuration when volume snapshots are used. */
export const EBS_CSI_SNAPSHOTTER_CONFIG = { sidecars: { snapshotter: { forceEnable: true } } } as const;

/** What in-cluster code may rely on. */
export interface ClusterCapabilities {
  /** A `spot` node group exists (label and taint from NODE_GROUPS.spot). */
  spotNodeGroup: boolean;
  /** A `gpu` node group exists (label and taint from NODE_GROUPS.gpu). */
  gpuNodeGroup: boolean;
  /** EKS Pod Identity is available: the WORKLOAD_IDENTITIES service accounts get AWS credentials. */
  podIdentity: boolean;
}

export class EksCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly cluster: aws.eks.Cluster;
  public readonly network: Network;
  /** Per group, one managed node group per availability zone (private subnet), in zone order. */
  public readonly nodeGroups: Record<ClusterNodeGroup, aws.eks.NodeGroup[]>;
  /** Pod Identity roles, one per WORKLOAD_IDENTITIES entry. */
  public readonly workloadRoles: Record<WorkloadIdentity, aws.iam.Role>;
  public readonly lokiBucket: aws.s3.Bucket;
  public readonly vaultKmsKey: aws.kms.Key;
  public readonly accountId: pulumi.Output<string>;
  /** Secret. Waits for the node groups and add-ons, so nothing in-cluster is applied to an empty cluster. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly capabilities: ClusterCapabilities = {
    spotNodeGroup: true,
    gpuNodeGroup: true,
    podIdentity: true,
  };

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:cluster:EksCluster", name, {}, opts);
    const cfg = args.config;
    const clusterName = clusterNameFor(args.environment, args.stack);
    const region = args.region;
    const tags = awsTags(args.environment, args.tags);
    const parent = { parent: this };
    const protect = { parent: this, protect: cfg.protect };

    const identity = aws.getCallerIdentityOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent).partition;
    this.accountId = identity.accountId;
    const scope: pulumi.Output<AwsScope> = pulumi
      .all([partition, identity.accountId])
      .apply(([p, accountId]) => ({ partition: p, region, accountId }));
    const json = (document: pulumi.Input<PolicyDocument>) =>
      pulumi.output(document).apply((d) => JSON.stringify(d));
    const managedArn = (policy: string) => partition.apply((p) => managedPolicy(p, policy));

    /** A role with managed policies and, optionally, one inline policy. */
    const role = (
      suffix: string,
      trust: pulumi.Input<PolicyDocument>,
      managed: readonly string[],
      inline?: pulumi.Input<PolicyDocument>,
      dependsOn: pulumi.Resource[] = [],
    ) => {
      const r = new aws.iam.Role(
        childName(name, suffix, "role"),
        { assumeRolePolicy: json(trust), tags },
        parent,
      );
      for (const policy of managed) {
        dependsOn.push(
          new aws.iam.RolePolicyAttachment(
            childName(name, suffix, policy),
            { role: r.name, policyArn: managedArn(policy) },
            parent,
          ),
        );
      }
      if (inline) {
        dependsOn.push(
          new aws.iam.RolePolicy(
            childName(name, suffix, "policy"),
            { role: r.id, policy: json(inline) },
            parent,
          ),
        );
      }
      return r;
    };

    // --- network ---
    this.network = createNetwork(name, { network: cfg.network, clusterName, region, tags }, this);
    const privateSubnetIds = this.network.privateSubnetIds;

    // --- keys: secrets envelope encryption, EBS volumes, Vault auto-unseal ---
    const key = (suffix: string, description: string) =>
      new aws.kms.Key(
        childName(name, suffix, "key"),
        { description, enableKeyRotation: true, deletionWindowInDays: 30, tags },
        protect,
      );
    const secretsKey = key("secrets", `${clusterName}: envelope encryption of Kubernetes secrets`);
    const ebsKey = key("ebs", `${clusterName}: encryption of persistent volumes`);
    this.vaultKmsKey = key("vault", `${clusterName}: Vault auto-unseal`);

    // --- control plane ---
    const clusterRoleDeps: pulumi.Resource[] = [];
    const clusterRole = role(
      "cluster",
      serviceTrust("eks.amazonaws.com"),
      MANAGED_POLICIES.cluster,
      secretsKey.arn.apply(clusterKmsPolicy),
      clusterRoleDeps,
    );
    // Created before the cluster, so EKS writes into a group with a retention instead of one kept forever.
    const logGroup = new aws.cloudwatch.LogGroup(
      childName(name, "control-plane-logs"),
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: args.controlPlaneLogRetentionDays ?? 90,
        tags,
      },
      parent,
    );
    const publicCidrs = cfg.endpoint.publicAccessCidrs;
    this.cluster = new aws.eks.Cluster(
      childName(name, "eks"),
      {
        name: clusterName,
        version: cfg.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicCidrs.length > 0,
          // Set only when public: the provider's default for an unset list is 0.0.0.0/0.
          ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
        },
        accessConfig: {
          authenticationMode: "API",
          // The identity running Pulumi needs the API to declare in-cluster objects; admins get entries below.
          bootstrapClusterCreatorAdminPermissions: true,
        },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        enabledClusterLogTypes: [...BASE_LOG_TYPES, ...cfg.extraLogTypes],
        // The add-ons below are EKS-managed and pinned; EKS's unmanaged defaults would only conflict.
        bootstrapSelfManagedAddons: false,
        // No silent extended-support charges: an outdated version is a failed upgrade, not a bill.
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: cfg.protect,
        tags,
      },
      { ...protect, dependsOn: [logGroup, ...clusterRoleDeps] },
    );
    this.clusterName = this.cluster.name;

    // One access entry and one cluster-scoped access policy per principal: admins, then CI's roles.
    const accessGrants: aws.eks.AccessPolicyAssociation[] = [];
    const grant = (id: string, principalArn: string, policy: keyof typeof EKS_ACCESS_POLICIES) => {
      const entry = new aws.eks.AccessEntry(
        childName(name, id),
        { clusterName: this.cluster.name, principalArn, type: "STANDARD", tags },
        parent,
      );
      accessGrants.push(
        new aws.eks.AccessPolicyAssociation(
          childName(name, id, ACCESS_POLICY_SUFFIX[policy]),
          {
            clusterName: this.cluster.name,
            principalArn,
            policyArn: EKS_ACCESS_POLICIES[policy],
            accessScope: { type: "cluster" },
          },
          { parent: this, dependsOn: [entry] },
        ),
      );
    };
    cfg.admins.forEach((arn, i) => grant(`admin-${i}`, arn, "clusterAdmin"));
    if (cfg.access.deployRoleArn !== undefined) grant("ci-deploy", cfg.access.deployRoleArn, "clusterAdmin");
    if (cfg.access.previewRoleArn !== undefined)
      grant("ci-preview", cfg.access.previewRoleArn, cfg.access.previewAccessPolicy);

    // --- add-ons that nodes need to become Ready ---
    const versions = EKS_ADDON_VERSIONS[cfg.kubernetesVersion];
    const addon = (
      addonName: EksAddonName,
      extra: Partial<aws.eks.AddonArgs> = {},
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new aws.eks.Addon(
        childName(name, "addon", addonName),
        {
          clusterName: this.cluster.name,
          addonName,
          addonVersion: versions[addonName],
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags,
          ...extra,
        },
        { parent: this, dependsOn },
      );
    const cniRole = role(
      "vpc-cni",
      scope.apply((s) => podIdentityTrust(s, clusterName, "kube-system", "aws-node")),
      MANAGED_POLICIES.vpcCni,
    );
    const podIdentityAgent = addon("eks-pod-identity-agent");
    // The association is part of the add-on, so aws-node has credentials from its first pod on.
    const vpcCni = addon(
      "vpc-cni",
      {
        podIdentityAssociations: [{ roleArn: cniRole.arn, serviceAccount: "aws-node" }],
        // Tenants' NetworkPolicies are only enforced with the VPC CNI's network policy agent on.
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      },
      [podIdentityAgent],
    );
    const kubeProxy = addon("kube-proxy");

    // --- node groups ---
    const nodeGroups = {} as Record<ClusterNodeGroup, aws.eks.NodeGroup[]>;
    for (const group of NODE_GROUP_NAMES) {
      const spec = nodeGroupSpec(group, cfg.nodeGroups[group], clusterName);
      const roleDeps: pulumi.Resource[] = [];
      const nodeRole = role(
        childName("node", group),
        serviceTrust("ec2.amazonaws.com"),
        MANAGED_POLICIES.node,
        undefined,
        roleDeps,
      );
      const lt = launchTemplateSpec(spec.diskSizeGiB);
      const launchTemplate = new aws.ec2.LaunchTemplate(
        childName(name, group, "lt"),
        {
          description: `${clusterName} ${group} nodes: IMDSv2 only, encrypted gp3 root volume`,
          metadataOptions: lt.metadataOptions,
          blockDeviceMappings: lt.blockDeviceMappings,
          updateDefaultVersion: true,
          tagSpecifications: ["instance", "volume"].map((resourceType) => ({
            resourceType,
            tags: { ...tags, Name: `${clusterName}-${group}` },
          })),
          tags,
        },
        parent,
      );
      // One managed node group per zone, not one across the three: EBS volumes are zonal, and a multi-zone
      // Auto Scaling group scaled from zero (or up) by the cluster autoscaler starts its node in whichever zone
      // the group balances to, so a pending pod whose claim is in another zone stays pending. Zonal groups with
      // --balance-similar-node-groups (platform/addons/cluster-autoscaler.ts) are the documented fix: the
      // autoscaler's AWS guide ("If you're using Persistent Volumes … use an ASG-per-AZ while enabling
      // --balance-similar-node-groups", cluster-autoscaler/cloudprovider/aws/README.md, Common Notes and Gotchas)
      // and the EKS Best Practices Guide (Cluster Autoscaler, EBS Volumes: "Node group balancing is enabled …
      // Node Groups are configured with identical settings except for different availability zones"). Every
      // group may run stateful pods: the platform's StatefulSets (system), agents with storage (spot in dev and
      // staging, system in prod) and the GPU job's claim (gpu). The configured sizes are the groups' totals.
      const subnets = privateSubnetIds.map((subnetId, i) => ({
        subnetId,
        suffix: zoneSuffix(this.network.privateSubnetZones?.[i], region, i),
      }));
      const zonal = zonalScaling(spec.scaling, subnets.length);
      nodeGroups[group] = subnets.map(({ subnetId, suffix }, i) => {
        const nodeGroup = new aws.eks.NodeGroup(
          childName(name, group, suffix),
          {
            clusterName: this.cluster.name,
            // A prefix, not a name: `instanceTypes`, `capacityType`, `amiType` and `subnetIds` force a new node
            // group (terraform-provider-aws eks/node_group.go, ForceNew), and a fixed name would make the
            // replacement fail; with a prefix the new group comes up before the old one is drained and deleted.
            nodeGroupNamePrefix: `${clusterName}-${group}-${suffix}-`,
            nodeRoleArn: nodeRole.arn,
            subnetIds: [subnetId],
            capacityType: spec.capacityType,
            amiType: spec.amiType,
            instanceTypes: spec.instanceTypes,
            scalingConfig: zonal[i]!,
            labels: spec.labels,
            taints: spec.taints,
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            updateConfig: { maxUnavailablePercentage: 33 },
            tags: { ...tags, ...spec.autoscalerTags },
          },
          {
            parent: this,
            dependsOn: [...roleDeps, vpcCni, podIdentityAgent, kubeProxy],
            // The cluster autoscaler owns the desired size once the group exists.
            ignoreChanges: ["scalingConfig.desiredSize"],
          },
        );
        // EKS tags the Auto Scaling group for discovery itself, but not with the node template. A zone label
        // is not needed: the autoscaler reads a single-zone group's zone from its Auto Scaling group.
        const asgName = nodeGroup.resources.apply(
          (r) => (r as typeof r | undefined)?.[0]?.autoscalingGroups[0]?.name ?? "",
        );
        for (const [key, value] of Object.entries(spec.autoscalerTags)) {
          const template = "k8s.io/cluster-autoscaler/node-template/";
          if (!key.startsWith(template)) continue;
          new aws.autoscaling.Tag(
            childName(name, group, suffix, "asg", key.slice(template.length).replace(/\//g, "-")),
            { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } },
            parent,
          );
        }
        return nodeGroup;
      });
    }
    this.nodeGroups = nodeGroups;

    // --- Pod Identity roles for the in-cluster components that call AWS ---
    this.lokiBucket = this.lokiStore(name, clusterName, identity.accountId, cfg.protect, args, tags);
    const identityPolicies: Record<
      WorkloadIdentity,
      { managed: readonly string[]; inline: pulumi.Input<PolicyDocument> }
    > = {
      ebsCsi: { managed: MANAGED_POLICIES.ebsCsi, inline: ebsKey.arn.apply(ebsCsiKmsPolicy) },
      clusterAutoscaler: { managed: [], inline: scope.apply((s) => clusterAutoscalerPolicy(s, clusterName)) },
      loki: { managed: [], inline: this.lokiBucket.arn.apply(lokiBucketPolicy) },
      vault: { managed: [], inline: this.vaultKmsKey.arn.apply(vaultUnsealPolicy) },
      externalSecrets: {
        managed: [],
        inline: scope.apply((s) => externalSecretsPolicy(s, args.environment)),
      },
    };
    const workloadRoles = {} as Record<WorkloadIdentity, aws.iam.Role>;
    const associations = {} as Record<WorkloadIdentity, aws.eks.PodIdentityAssociation>;
    for (const id of Object.keys(WORKLOAD_IDENTITIES) as WorkloadIdentity[]) {
      const { namespace, serviceAccount } = WORKLOAD_IDENTITIES[id];
      const suffix = identitySuffix(id);
      const policies = identityPolicies[id];
      const deps: pulumi.Resource[] = [];
      const r = role(
        suffix,
        scope.apply((s) => podIdentityTrust(s, clusterName, namespace, serviceAccount)),
        policies.managed,
        policies.inline,
        deps,
      );
      associations[id] = new aws.eks.PodIdentityAssociation(
        childName(name, suffix, "pod-identity"),
        { clusterName: this.cluster.name, namespace, serviceAccount, roleArn: r.arn, tags },
        { parent: this, dependsOn: deps },
      );
      workloadRoles[id] = r;
    }
    this.workloadRoles = workloadRoles;

    // --- add-ons that need nodes to run on ---
    const afterNodes = Object.values(nodeGroups).flat();
    const coredns = addon("coredns", {}, afterNodes);
    // The association exists before the controller's first pod, which then starts with credentials.
    const ebsCsi = addon(
      "aws-ebs-csi-driver",
      args.volumeSnapshots ? { configurationValues: JSON.stringify(EBS_CSI_SNAPSHOTTER_CONFIG) } : {},
      [...afterNodes, associations.ebsCsi],
    );

    // --- Kubernetes access ---
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([
          this.cluster.name,
          this.cluster.endpoint,
          this.cluster.certificateAuthority.data,
          // Not used in the text: it makes every in-cluster object wait for nodes and add-ons.
          // The access grants too: CI's roles can use the API from the first in-cluster object on.
          pulumi.all(
            [...afterNodes, podIdentityAgent, vpcCni, kubeProxy, coredns, ebsCsi, ...accessGrants].map(
              (r) => r.id,
            ),
          ),
        ])
        .apply(([n, endpoint, ca]) =>
          JSON.stringify(
            eksKubeconfig({ clusterName: n, region, endpoint, certificateAuthorityData: ca ?? "" }),
          ),
        ),
    );
    this.provider = new k8s.Provider(
      childName(name, "k8s"),
      { kubeconfig: this.kubeconfig, ...KUBERNETES_PROVIDER_DAY2 },
      parent,
    );

    new k8s.storage.v1.StorageClass(
      childName(name, STORAGE_CLASS_NAME),
      storageClassSpec(ebsKey.arn, cfg.protect),
      {
        parent: this,
        provider: this.provider,
        dependsOn: [ebsCsi],
        // The API refuses changes to these (storage/validation ValidateStorageClassUpdate) and the provider
        // replaces only on `parameters`/`provisioner`; replacing the class is harmless (existing volumes keep
        // the reclaim policy they were provisioned with), so `protect` can still be switched on later.
        replaceOnChanges: ["reclaimPolicy", "volumeBindingMode"],
        deleteBeforeReplace: true,
      },
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.cluster.endpoint,
      kubeconfig: this.kubeconfig,
      nodeGroupNames: afterNodes.map((ng) => ng.nodeGroupName),
      vpcId: this.network.vpcId,
      lokiBucket: this.lokiBucket.bucket,
      vaultKmsKeyId: this.vaultKmsKey.keyId,
    });
  }

  /** Loki's bucket: private, encrypted, versioned, TLS only, objects expired as a backstop to Loki's retention. */
  private lokiStore(
    name: string,
    clusterName: string,
    accountId: pulumi.Output<string>,
    protect: boolean,
    args: EksClusterArgs,
    tags: Record<string, string>,
  ): aws.s3.Bucket {
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(
      childName(name, "loki"),
      {
        bucket: pulumi.interpolate`${clusterName}-loki-${accountId}`,
        // Without protection (dev, staging) the stack can be destroyed with its logs in the bucket.
        forceDestroy: !protect,
        tags,
      },
      { parent: this, protect },
    );
    const bucketOpts = { parent: this, dependsOn: [bucket] };
    new aws.s3.BucketPublicAccessBlock(
      childName(name, "loki-public-access"),
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      bucketOpts,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      childName(name, "loki-encryption"),
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      bucketOpts,
    );
    new aws.s3.BucketVersioning(
      childName(name, "loki-versioning"),
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      bucketOpts,
    );
    new aws.s3.BucketLifecycleConfiguration(
      childName(name, "loki-lifecycle"),
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: args.lokiRetentionDays ?? 90 },
            noncurrentVersionExpiration: { noncurrentDays: 7 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      bucketOpts,
    );
    new aws.s3.BucketPolicy(
      childName(name, "loki-tls-only"),
      { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
      parent,
    );
    return bucket;
  }
}

/**
 * The default StorageClass: gp3, encrypted with the cluster's EBS key, bound where the pod lands (so the
 * volume is in its zone), expandable. Volumes outlive their claims when the cluster is protected. Pure.
 */
export function storageClassSpec(kmsKeyArn: pulumi.Input<string>, protect: boolean) {
  return {
    metadata: {
      name: STORAGE_CLASS_NAME,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true", kmsKeyId: kmsKeyArn },
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    reclaimPolicy: protect ? "Retain" : "Delete",
  };
}
