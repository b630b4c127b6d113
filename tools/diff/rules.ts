/**
 * What a change to a resource's inputs does on `pulumi up`, by resource type: the fields whose change
 * replaces the resource, the fields the Kubernetes API server refuses to update, and the resources whose
 * deletion or replacement loses data or identity. Data with sources, read by {@link changeReport}.
 *
 * Paths are Pulumi property paths into the resource's inputs (`spec.selector`, `launchTemplate.id`); a rule
 * covers its path and everything under it.
 */

/** Pulumi's Kubernetes provider: its table of fields that force a replacement. */
const PULUMI_K8S_FORCE_NEW =
  "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew, metadataForceNewProperties)";
const K8S_APPS_VALIDATION = "kubernetes/kubernetes pkg/apis/apps/validation/validation.go";
const K8S_CORE_VALIDATION = "kubernetes/kubernetes pkg/apis/core/validation/validation.go";

/** What a rule says about a change to its path. */
export type RuleEffect = "replace" | "refused";

export interface KubernetesRule {
  /** The object's kind; `*` for every kind. */
  kind: string;
  /** Pulumi property path into the object (its inputs). */
  path: string;
  /**
   * `replace`: Pulumi's provider deletes and recreates the object (with a fixed name: delete first).
   * `refused`: the provider sends an update, which the API server rejects: `pulumi up` fails.
   */
  effect: RuleEffect;
  /** Why, in a reviewer's words. */
  reason: string;
  source: string;
}

/**
 * Kubernetes fields that cannot change in place. Replacements are those of Pulumi's provider; refusals are the
 * API server's update validation for fields the provider does not replace on.
 */
export const KUBERNETES_RULES: readonly KubernetesRule[] = [
  ...["metadata.name", "metadata.namespace"].map((path) => ({
    kind: "*",
    path,
    effect: "replace" as const,
    reason: "an object's name and namespace are its identity",
    source: PULUMI_K8S_FORCE_NEW,
  })),
  ...[
    "spec.selector",
    "spec.serviceName",
    "spec.podManagementPolicy",
    "spec.volumeClaimTemplates",
    "spec.revisionHistoryLimit",
  ].map((path) => ({
    kind: "StatefulSet",
    path,
    effect: "replace" as const,
    reason: "the provider replaces a StatefulSet when this changes; the API server refuses it in place",
    source: `${PULUMI_K8S_FORCE_NEW}; ${K8S_APPS_VALIDATION} ValidateStatefulSetUpdate`,
  })),
  ...["Deployment", "DaemonSet"].map((kind) => ({
    kind,
    path: "spec.selector",
    effect: "replace" as const,
    reason: "the selector is immutable in apps/v1",
    source: `${PULUMI_K8S_FORCE_NEW}; ${K8S_APPS_VALIDATION} ValidateDeploymentUpdate / ValidateDaemonSetUpdate`,
  })),
  {
    kind: "ReplicaSet",
    path: "spec.selector",
    effect: "refused",
    reason: "the selector is immutable in apps/v1",
    source: `${K8S_APPS_VALIDATION} ValidateReplicaSetUpdate`,
  },
  ...["spec.selector", "spec.template", "spec.completions", "spec.parallelism"].map((path) => ({
    kind: "Job",
    path,
    effect: "replace" as const,
    reason: "a Job's selector and pod template are immutable",
    source: `${PULUMI_K8S_FORCE_NEW}; kubernetes/kubernetes pkg/apis/batch/validation/validation.go ValidateJobUpdate`,
  })),
  {
    kind: "Service",
    path: "spec.clusterIP",
    effect: "replace",
    reason: "a Service's cluster IP is immutable",
    source: `${PULUMI_K8S_FORCE_NEW}; ${K8S_CORE_VALIDATION} ValidateServiceUpdate`,
  },
  ...["RoleBinding", "ClusterRoleBinding"].map((kind) => ({
    kind,
    path: "roleRef",
    effect: "replace" as const,
    reason: "roleRef cannot be changed",
    source: `${PULUMI_K8S_FORCE_NEW}; kubernetes/kubernetes pkg/apis/rbac/validation/validation.go`,
  })),
  ...["parameters", "provisioner"].map((path) => ({
    kind: "StorageClass",
    path,
    effect: "replace" as const,
    reason: "StorageClass parameters and provisioner are immutable",
    source: `${PULUMI_K8S_FORCE_NEW}; kubernetes/kubernetes pkg/apis/storage/validation/validation.go ValidateStorageClassUpdate`,
  })),
  ...["reclaimPolicy", "volumeBindingMode"].map((path) => ({
    kind: "StorageClass",
    path,
    effect: "refused" as const,
    reason: "updates to a StorageClass's reclaimPolicy and volumeBindingMode are forbidden",
    source:
      "kubernetes/kubernetes pkg/apis/storage/validation/validation.go ValidateStorageClassUpdate (the provider does not replace on it)",
  })),
  ...["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"].map((path) => ({
    kind: "PersistentVolumeClaim",
    path,
    effect: "replace" as const,
    reason: "a claim's spec is immutable except a larger requests.storage",
    source: `${PULUMI_K8S_FORCE_NEW}; ${K8S_CORE_VALIDATION} ValidatePersistentVolumeClaimUpdate`,
  })),
  {
    kind: "ResourceQuota",
    path: "spec.scopes",
    effect: "replace",
    reason: "a quota's scopes are immutable",
    source: PULUMI_K8S_FORCE_NEW,
  },
  {
    kind: "Secret",
    path: "type",
    effect: "replace",
    reason: "a Secret's type is immutable",
    source: PULUMI_K8S_FORCE_NEW,
  },
];

/**
 * Spec fields the API server updates in place, per kind whose other spec fields it refuses (outside the
 * provider's replacements above).
 */
export const KUBERNETES_MUTABLE_SPEC: Readonly<
  Record<string, { fields: readonly string[]; source: string }>
> = {
  StatefulSet: {
    // "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy',
    // 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    fields: [
      "replicas",
      "ordinals",
      "template",
      "updateStrategy",
      "revisionHistoryLimit",
      "persistentVolumeClaimRetentionPolicy",
      "minReadySeconds",
    ],
    source: `${K8S_APPS_VALIDATION} ValidateStatefulSetUpdate`,
  },
  PersistentVolumeClaim: {
    // "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
    fields: ["resources.requests", "volumeAttributesClassName"],
    source: `${K8S_CORE_VALIDATION} ValidatePersistentVolumeClaimUpdate`,
  },
};

/**
 * ConfigMap and Secret data: replaced by Pulumi's provider unless it runs with `enableConfigMapMutable` /
 * `enableSecretMutable` (and the object is not `immutable: true`).
 */
export const MUTABLE_DATA_FLAGS: Readonly<Record<string, { flag: string; paths: readonly string[] }>> = {
  ConfigMap: { flag: "enableConfigMapMutable", paths: ["data", "binaryData"] },
  Secret: { flag: "enableSecretMutable", paths: ["data", "stringData"] },
};
export const MUTABLE_DATA_SOURCE = `${PULUMI_K8S_FORCE_NEW}: forceNewProperties (ConfigMap, Secret)`;

/** Properties whose change forces a new resource, per Pulumi type token. */
export interface ForceNewEntry {
  properties: readonly string[];
  source: string;
}

const TF_AWS = "hashicorp/terraform-provider-aws";
const tf = (file: string, note = "ForceNew / RequiresReplace in the schema") =>
  `${TF_AWS} internal/service/${file} (${note}); the pulumi-aws resource is generated from it`;

/**
 * AWS (and random) resource types this program creates and the input properties that force a replacement.
 * Properties the program does not set are listed too where a user could reach them through configuration.
 * `tags` never force a replacement; neither does anything not listed here.
 */
export const FORCE_NEW: Readonly<Record<string, ForceNewEntry>> = {
  "aws:eks/cluster:Cluster": {
    // vpcConfig.subnetIds and securityGroupIds are updated in place since provider v5.25.0
    // (hashicorp/terraform-provider-aws#34090); encryptionConfig can be added but not removed.
    properties: [
      "name",
      "roleArn",
      "bootstrapSelfManagedAddons",
      "accessConfig.bootstrapClusterCreatorAdminPermissions",
      "kubernetesNetworkConfig.ipFamily",
      "kubernetesNetworkConfig.serviceIpv4Cidr",
      "outpostConfig",
    ],
    source: tf("eks/cluster.go"),
  },
  "aws:eks/nodeGroup:NodeGroup": {
    properties: [
      "amiType",
      "capacityType",
      "clusterName",
      "diskSize",
      "instanceTypes",
      "launchTemplate.id",
      "launchTemplate.name",
      "nodeGroupName",
      "nodeGroupNamePrefix",
      "nodeRoleArn",
      "remoteAccess",
      "subnetIds",
    ],
    source: tf("eks/node_group.go"),
  },
  "aws:eks/addon:Addon": { properties: ["addonName", "clusterName"], source: tf("eks/addon.go") },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
    properties: ["clusterName", "namespace", "serviceAccount"],
    source: tf("eks/pod_identity_association.go", "stringplanmodifier.RequiresReplace"),
  },
  "aws:eks/accessEntry:AccessEntry": {
    properties: ["clusterName", "principalArn", "type"],
    source: tf("eks/access_entry.go"),
  },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
    properties: ["clusterName", "principalArn", "policyArn", "accessScope"],
    source: tf("eks/access_policy_association.go"),
  },
  "aws:ec2/vpc:Vpc": {
    // instanceTenancy is modified in place (dedicated → default).
    properties: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
    source: tf("ec2/vpc_.go"),
  },
  "aws:ec2/subnet:Subnet": {
    properties: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"],
    source: tf("ec2/vpc_subnet.go"),
  },
  "aws:ec2/eip:Eip": {
    properties: ["domain", "networkBorderGroup", "publicIpv4Pool", "customerOwnedIpv4Pool"],
    source: tf("ec2/ec2_eip.go"),
  },
  "aws:ec2/natGateway:NatGateway": {
    properties: [
      "allocationId",
      "connectivityType",
      "privateIp",
      "secondaryPrivateIpAddressCount",
      "subnetId",
    ],
    source: tf("ec2/vpc_nat_gateway.go"),
  },
  // vpcId is an attachment, updated in place (detach, attach).
  "aws:ec2/internetGateway:InternetGateway": { properties: [], source: tf("ec2/vpc_internet_gateway.go") },
  "aws:ec2/routeTable:RouteTable": { properties: ["vpcId"], source: tf("ec2/vpc_route_table.go") },
  "aws:ec2/route:Route": {
    properties: [
      "routeTableId",
      "destinationCidrBlock",
      "destinationIpv6CidrBlock",
      "destinationPrefixListId",
    ],
    source: tf("ec2/vpc_route.go"),
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    properties: ["subnetId", "gatewayId"],
    source: tf("ec2/vpc_route_table_association.go"),
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    properties: ["vpcId", "serviceName", "vpcEndpointType"],
    source: tf("ec2/vpc_endpoint.go"),
  },
  // Everything else makes a new template version, which node groups roll to in place.
  "aws:ec2/launchTemplate:LaunchTemplate": {
    properties: ["name", "namePrefix"],
    source: tf("ec2/ec2_launch_template.go"),
  },
  "aws:autoscaling/tag:Tag": {
    properties: ["autoscalingGroupName", "tag"],
    source: tf("autoscaling/group_tag.go"),
  },
  "aws:iam/role:Role": { properties: ["name", "namePrefix", "path"], source: tf("iam/role.go") },
  "aws:iam/rolePolicy:RolePolicy": {
    properties: ["name", "namePrefix", "role"],
    source: tf("iam/role_policy.go"),
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    properties: ["role", "policyArn"],
    source: tf("iam/role_policy_attachment.go"),
  },
  "aws:kms/key:Key": {
    properties: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
    source: tf("kms/key.go"),
  },
  "aws:s3/bucket:Bucket": {
    properties: ["bucket", "bucketPrefix", "objectLockEnabled"],
    source: tf("s3/bucket.go"),
  },
  "aws:s3/bucketV2:BucketV2": {
    properties: ["bucket", "bucketPrefix", "objectLockEnabled"],
    source: tf("s3/bucket.go"),
  },
  ...Object.fromEntries(
    [
      ["bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket_public_access_block.go"],
      [
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "bucket_server_side_encryption_configuration.go",
      ],
      ["bucketVersioning:BucketVersioning", "bucket_versioning.go"],
      ["bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket_lifecycle_configuration.go"],
      ["bucketPolicy:BucketPolicy", "bucket_policy.go"],
      ["bucketObjectLockConfiguration:BucketObjectLockConfiguration", "bucket_object_lock_configuration.go"],
    ].map(([token, file]) => [
      `aws:s3/${token}`,
      { properties: ["bucket", "expectedBucketOwner"], source: tf(`s3/${file}`) },
    ]),
  ),
  "aws:ec2/securityGroup:SecurityGroup": {
    // Rules are updated in place; the group's identity is its name and description.
    properties: ["name", "namePrefix", "vpcId", "description"],
    source: tf("ec2/vpc_security_group.go"),
  },
  "aws:elasticache/subnetGroup:SubnetGroup": {
    properties: ["name"],
    source: tf("elasticache/subnet_group.go"),
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    // nodeType, numCacheClusters, engineVersion, Multi-AZ, transit encryption and the AUTH token change in place.
    properties: [
      "replicationGroupId",
      "atRestEncryptionEnabled",
      "kmsKeyId",
      "subnetGroupName",
      "port",
      "preferredCacheClusterAzs",
      "snapshotArns",
      "snapshotName",
      "dataTieringEnabled",
      "networkType",
      "globalReplicationGroupId",
    ],
    source: tf("elasticache/replication_group.go"),
  },
  "aws:rds/instance:Instance": {
    // instanceClass, allocatedStorage (growth), multiAz, backups, parameter group, deletion protection and the
    // engine version change in place (RDS applies them in its maintenance window unless applyImmediately).
    properties: [
      "identifier",
      "identifierPrefix",
      "engine",
      "availabilityZone",
      "characterSetName",
      "ncharCharacterSetName",
      "dbName",
      "kmsKeyId",
      "storageEncrypted",
      "username",
      "timezone",
      "snapshotIdentifier",
      "restoreToPointInTime",
      "customIamInstanceProfile",
    ],
    source: tf("rds/instance.go"),
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    // Parameters change in place; named by prefix, so a new family brings a new group before the old goes.
    properties: ["name", "namePrefix", "family", "description"],
    source: tf("rds/parameter_group.go"),
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    properties: ["name", "namePrefix"],
    source: tf("rds/subnet_group.go"),
  },
  "aws:rds/eventSubscription:EventSubscription": {
    properties: ["name", "namePrefix"],
    source: tf("rds/event_subscription.go"),
  },
  "aws:sns/topic:Topic": { properties: ["name", "namePrefix", "fifoTopic"], source: tf("sns/topic.go") },
  "aws:sns/topicPolicy:TopicPolicy": { properties: ["arn"], source: tf("sns/topic_policy.go") },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    properties: ["name"],
    source: tf("cloudwatch/metric_alarm.go"),
  },
  "aws:backup/vault:Vault": { properties: ["name", "kmsKeyArn"], source: tf("backup/vault.go") },
  "aws:backup/plan:Plan": { properties: ["name"], source: tf("backup/plan.go") },
  "aws:backup/selection:Selection": {
    // A selection cannot be updated: every argument forces a new one (harmless: it holds no recovery point).
    properties: ["name", "planId", "iamRoleArn", "selectionTags", "resources", "notResources", "conditions"],
    source: tf("backup/selection.go"),
  },
  "aws:backup/vaultNotifications:VaultNotifications": {
    properties: ["backupVaultName", "snsTopicArn", "backupVaultEvents"],
    source: tf("backup/vault_notifications.go"),
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    properties: ["name", "namePrefix", "logGroupClass"],
    source: tf("logs/group.go"),
  },
  "random:index/randomPassword:RandomPassword": {
    properties: [
      "length",
      "special",
      "upper",
      "lower",
      "numeric",
      "minLower",
      "minUpper",
      "minNumeric",
      "minSpecial",
      "overrideSpecial",
      "keepers",
    ],
    source:
      "hashicorp/terraform-provider-random internal/provider/resource_password.go (every argument RequiresReplace)",
  },
  // A Helm release is renamed or moved only by uninstalling it.
  "kubernetes:helm.sh/v3:Release": {
    properties: ["name", "namespace"],
    source: "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go (Diff: forceNewFields)",
  },
};

/**
 * Why deleting or replacing a resource loses data or identity, or `undefined` when it does not.
 * `inputs` are the resource's inputs before the change.
 */
export function dataAtRisk(type: string, inputs: Record<string, unknown>): string | undefined {
  const spec = (inputs.spec ?? {}) as Record<string, unknown>;
  switch (type) {
    case "kubernetes:core/v1:PersistentVolumeClaim":
      return "holds data: the claim's volume goes with it (or is orphaned with reclaimPolicy Retain)";
    case "kubernetes:core/v1:PersistentVolume":
      return "holds data: a volume";
    case "kubernetes:apps/v1:StatefulSet":
      return Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length > 0
        ? "holds data: its replicas' claims; a replacement stops every replica at once, and under a new name the claims start empty"
        : undefined;
    case "kubernetes:core/v1:Namespace":
      return "deleting a namespace deletes everything in it, claims and secrets included";
    case "kubernetes:helm.sh/v3:Release": {
      const chart = String(inputs.chart ?? "");
      return chart === "vault" || chart.endsWith("/vault")
        ? "Vault's storage: its raft data, unseal configuration and every secret it holds"
        : undefined;
    }
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return inputs.objectLockEnabled === true
        ? "holds data: the bucket's objects, under Object Lock (locked versions cannot be deleted before their retention ends)"
        : "holds data: the bucket's objects (Loki's logs, a data store's evidence)";
    case "aws:rds/instance:Instance":
      return "holds data: the database (its automated backups stay restorable for their retention; a final snapshot is taken only where deletion protection is on)";
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return "holds data: the cache's keys (the LLM gateway's: the month's spend counters)";
    case "aws:backup/vault:Vault":
      return "holds data: the recovery points of agents' volumes";
    case "kubernetes:postgresql.cnpg.io/v1:Cluster":
      return "holds data: the PostgreSQL cluster's volumes (its volume-snapshot backups are owned by their Backups)";
    case "aws:kms/key:Key":
      return "identity: whatever was encrypted with the key becomes unreadable once it is deleted";
    case "aws:eks/cluster:Cluster":
      return "the cluster: every workload, volume attachment and in-cluster secret on it";
    case "aws:cloudwatch/logGroup:LogGroup":
      return "holds data: the control plane's audit logs";
    default:
      return undefined;
  }
}

/**
 * Launch template inputs whose change makes a new template version (terraform-provider-aws
 * internal/service/ec2/ec2_launch_template.go `resourceLaunchTemplateUpdate`, its `updateKeys`; the template's
 * own `tags`, `defaultVersion` and `updateDefaultVersion` change no version). A managed node group that runs the
 * template then rolls to that version.
 */
export const LAUNCH_TEMPLATE_VERSION_PROPERTIES = {
  properties: [
    "blockDeviceMappings",
    "capacityReservationSpecification",
    "cpuOptions",
    "creditSpecification",
    "description",
    "disableApiStop",
    "disableApiTermination",
    "ebsOptimized",
    "elasticGpuSpecifications",
    "elasticInferenceAccelerator",
    "enclaveOptions",
    "hibernationOptions",
    "iamInstanceProfile",
    "imageId",
    "instanceInitiatedShutdownBehavior",
    "instanceMarketOptions",
    "instanceRequirements",
    "instanceType",
    "kernelId",
    "keyName",
    "licenseSpecifications",
    "metadataOptions",
    "monitoring",
    "networkInterfaces",
    "placement",
    "privateDnsNameOptions",
    "ramDiskId",
    "securityGroupNames",
    "tagSpecifications",
    "userData",
    "vpcSecurityGroupIds",
  ],
  source: `${TF_AWS} internal/service/ec2/ec2_launch_template.go (resourceLaunchTemplateUpdate: updateKeys make a new version)`,
} as const;

/**
 * Node group inputs whose in-place update replaces every node of the group (EKS `UpdateNodegroupVersion`: a new
 * launch template version, a Kubernetes version, an AMI release), and what that does to its pods: the Amazon EKS
 * User Guide, "Understand each phase of node updates" (managed node groups): new nodes come up, then each old
 * node is cordoned and drained, `maxUnavailable` at a time; pods are evicted through the eviction API, which
 * honours PodDisruptionBudgets, and a node whose pods cannot be evicted within 15 minutes fails the update
 * (PodEvictionFailure) unless it is forced.
 */
export const NODE_ROLL = {
  nodeGroupProperties: ["launchTemplate.version", "version", "releaseVersion"],
  source:
    "Amazon EKS User Guide, managed node groups: Understand each phase of node updates (setup, scale up, upgrade, scale down)",
} as const;
