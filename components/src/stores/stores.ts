/**
 * DataStores: the governance framework's data stores of one environment (`agentops:stores`), what each agent
 * that uses one gets (`agentAccess`), where its network policy lets it go (`egress`), and the in-cluster side of
 * volume backups and restores; VolumeBackups: the backups of agents' volumes (`agentops:backups`). Thin
 * components over the pure builders of ./aws.ts, ./objects.ts and ./backups.ts.
 *
 * On EKS the stores are managed services, all encrypted with one KMS key of the environment and alarmed
 * through one SNS topic: RDS for PostgreSQL, ElastiCache for Valkey, S3. On an existing cluster they run in it
 * (CloudNativePG, the Valkey chart) or, for S3, are an endpoint the user names.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AgentStoreAccess } from "../agents/objects";
import type { AgentSnapshots } from "../agents/restore";
import { pinnedChart, type PinnedChart } from "../catalog/charts";
import { regionPrices } from "../catalog/prices";
import { type AwsScope, managedPolicy, podIdentityTrust, tlsOnlyBucketPolicy } from "../cluster/iam";
import type { AgentConfig } from "../config/agents";
import type { Environment } from "../config/environments";
import { storesNameStem } from "../config/stack-names";
import type { BackupsConfig, StoresConfig } from "../config/stores";
import { longestGapMinutes } from "../lib/cron";
import { childName } from "../lib/names";
import { storeMonthly } from "../model/cost/estimate";
import { stackCostInput } from "../model/cost/stack";
import { DEFAULT_NODE_GROUPS } from "../model/cost/estimate";
import { storesPrometheusRule } from "../observability/stores";
import {
  agentStoreAccess,
  inClusterPeer,
  PUBLIC_INTERNET,
  STORE_PORTS,
  storeEgress,
  type StoreEndpoint,
} from "./access";
import {
  agentEvidencePolicy,
  alarmTopicPolicy,
  elastiCacheAlarms,
  elastiCacheArgs,
  evidenceBucketTags,
  evidenceLifecycleRules,
  masterSecretsPolicy,
  RDS_EVENT_CATEGORIES,
  rdsAlarms,
  rdsInstanceArgs,
  rdsParameterGroupArgs,
  storesKeyPolicy,
  storeTags,
  type AlarmSpec,
} from "./aws";
import {
  BACKUP_ROLE_POLICIES,
  BACKUP_VAULT_EVENTS,
  backupAlarms,
  backupPlanArgs,
  backupSelectionArgs,
  backupVaultName,
  ebsVolumesArn,
  AGENT_CLAIMS_SELECTOR,
  snapshotConfigMap,
  snapshotCronJob,
  snapshotRole,
  snapshotRoleBinding,
  snapshotScript,
  SNAPSHOT_SCHEDULE,
  volumeSnapshotClass,
  type SnapshotTarget,
} from "./backups";
import { storeAwsNames, storeNames, STORES_NAMESPACE, type StoreScope } from "./names";
import {
  agentCredentials,
  agentCredentialsPush,
  cnpgCluster,
  cnpgDatabase,
  cnpgDatabaseRole,
  cnpgPodLabels,
  cnpgPodMonitor,
  cnpgScheduledBackup,
  passwordGenerator,
  rdsMasterCredentials,
  rdsRolesJob,
  SNAPSHOT_CLASS,
  storeAuthPush,
  storesNamespace,
  storeValkeyValues,
  valkeyPodLabels,
  type StoreObject,
} from "./objects";
import { generatedPassword } from "../lib/generated-secret";

/** The cluster's cloud side the stores need on EKS. */
export interface StoresCloud {
  region: string;
  clusterName: pulumi.Input<string>;
  /**
   * The VPC, its private subnets, the nodes' security group and the VPC's CIDR (the agents' egress to RDS and
   * ElastiCache; looked up with `aws.ec2.getVpc` when absent, for a VPC this stack does not own).
   */
  network: {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    clusterSecurityGroupId: pulumi.Input<string>;
    vpcCidr?: pulumi.Input<string>;
  };
  /** The External Secrets controller's Pod Identity role: it reads the RDS master secrets. */
  externalSecretsRoleName: pulumi.Input<string>;
}

export interface DataStoresArgs {
  environment: Environment;
  /**
   * The stack's name: a stack that is not its environment's own (an ephemeral `it-1a2b3c4d` from dev's stack
   * file, in dev's account) names its RDS instances, ElastiCache groups, buckets, log groups, alarm topic and
   * alarms after itself (config/stack-names.ts `storesNameStem`), never the environment's own.
   * @default the environment's own names
   */
  stack?: string;
  /** The validated `agentops:stores`. */
  stores: StoresConfig;
  /** The validated `agentops:backups`: the VolumeSnapshotClass and, off EKS, the schedule's namespace. */
  backups: BackupsConfig;
  /** The agents; those listing a store get its credentials and access. */
  agents: readonly AgentConfig[];
  /** EKS: where the managed stores go. @default undefined: an existing cluster, stores in the cluster */
  cloud?: StoresCloud;
  /**
   * Whether the cluster serves VolumeSnapshots (the snapshot controller and its CRDs, a platform release): the
   * VolumeSnapshotClass is declared only then. Without the platform, AWS Backup on EKS needs none.
   * @default backups enabled, or an agent restoring a volume
   */
  volumeSnapshots?: boolean;
  /** `protect` the stores' data (prod): RDS instance, buckets, key, deletion protection. @default false */
  protect?: boolean;
  /** Tags of every AWS resource (`awsTags`). @default {} */
  tags?: Record<string, string>;
  /**
   * The chart fields of the in-cluster stores' Helm Releases for a pinned chart (the platform's `releaseChart`
   * with `platform.charts.directory`). @default from the chart's repository
   */
  releaseChart?: (pinned: PinnedChart) => {
    chart: string;
    version: string;
    repositoryOpts?: { repo: string };
  };
  /**
   * What the in-cluster objects wait for: External Secrets and Vault (credentials), the CloudNativePG operator,
   * kube-prometheus-stack (PodMonitor, PrometheusRule CRDs), the snapshot controller. @default nothing
   */
  after?: {
    secrets?: pulumi.Resource[];
    postgresOperator?: pulumi.Resource[];
    monitoring?: pulumi.Resource[];
    snapshots?: pulumi.Resource[];
  };
}

/** The agents that list `store` in `stores`, by name, sorted. */
const usersOf = (agents: readonly AgentConfig[], store: string) =>
  agents
    .filter((a) => a.stores.includes(store))
    .map((a) => a.name)
    .sort();

/** A Kubernetes custom object from a plain object. */
const custom = (name: string, obj: object, opts: pulumi.CustomResourceOptions) =>
  new k8s.apiextensions.CustomResource(name, obj as k8s.apiextensions.CustomResourceArgs, opts);

export class DataStores extends pulumi.ComponentResource {
  /** Where each store is, by name. */
  public readonly endpoints: Readonly<Record<string, StoreEndpoint>>;
  /** The egress rules that reach each store, by name: the Tenant's `stores` argument. */
  public readonly egress: Readonly<Record<string, inputs.networking.v1.NetworkPolicyEgressRule[]>>;
  /** The VolumeSnapshotClass agents restore with, when volume snapshots are set up. */
  public readonly snapshots: AgentSnapshots | undefined;
  /** The stores' KMS key and alarm topic on EKS (VolumeBackups uses both). */
  public readonly kmsKeyArn: pulumi.Output<string> | undefined;
  public readonly alarmTopicArn: pulumi.Output<string> | undefined;
  /** What an agent must wait for, by agent name: its Pod Identity association. */
  public readonly agentDependencies: Readonly<Record<string, pulumi.Resource[]>>;
  private readonly environment: Environment;

  constructor(name: string, args: DataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:stores:DataStores", name, {}, opts);
    this.environment = args.environment;
    const env = args.environment;
    const stem = storesNameStem(env, args.stack);
    const names: StoreScope = { environment: env, stem };
    const protect = args.protect ?? false;
    const tags = args.tags ?? {};
    const parent = { parent: this };
    const cloud = args.cloud;
    const storeEntries = Object.entries(args.stores);
    const endpoints: Record<string, StoreEndpoint> = {};
    const agentDependencies: Record<string, pulumi.Resource[]> = {};
    const after = args.after ?? {};

    // --- the environment's key and alarm topic (EKS) ---
    const foundation = cloud !== undefined && (storeEntries.length > 0 || args.backups.enabled);
    let scope: pulumi.Output<AwsScope> | undefined;
    let key: aws.kms.Key | undefined;
    let topic: aws.sns.Topic | undefined;
    if (cloud && foundation) {
      const identity = aws.getCallerIdentityOutput({}, parent);
      const partition = aws.getPartitionOutput({}, parent).partition;
      scope = pulumi
        .all([partition, identity.accountId])
        .apply(([p, accountId]) => ({ partition: p, region: cloud.region, accountId }));
      key = new aws.kms.Key(
        childName(name, "key"),
        {
          description: `agentops-${env}: data stores (RDS, ElastiCache, S3, AWS Backup, alarm topic)`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: scope.apply((s) => JSON.stringify(storesKeyPolicy(s))),
          tags,
        },
        { parent: this, protect },
      );
      topic = new aws.sns.Topic(
        childName(name, "alarms"),
        { name: `${stem}-stores-alarms`, kmsMasterKeyId: key.arn, tags },
        parent,
      );
      const topicArn = topic.arn;
      new aws.sns.TopicPolicy(
        childName(name, "alarms-policy"),
        {
          arn: topicArn,
          policy: pulumi
            .all([topicArn, scope])
            .apply(([arn, s]) => JSON.stringify(alarmTopicPolicy(arn, s.accountId))),
        },
        parent,
      );
    }
    this.kmsKeyArn = key?.arn;
    this.alarmTopicArn = topic?.arn;
    const alarm = (spec: AlarmSpec, store?: string) =>
      new aws.cloudwatch.MetricAlarm(
        childName(name, spec.args.name as string),
        {
          ...spec.args,
          alarmActions: [topic!.arn],
          okActions: [topic!.arn],
          tags: store ? storeTags(tags, store) : tags,
        },
        parent,
      );

    // --- the stores' namespace: credentials, the RDS bootstrap, the in-cluster stores ---
    const needsNamespace =
      storeEntries.some(([, s]) => s.engine !== "s3") || (cloud === undefined && args.backups.enabled);
    const namespace = needsNamespace
      ? new k8s.core.v1.Namespace(childName(name, "namespace"), storesNamespace(), parent)
      : undefined;
    const inNamespace = namespace ? [namespace] : [];
    const secretsReady = [...inNamespace, ...(after.secrets ?? [])];
    const hasPostgres = storeEntries.some(([, s]) => s.engine === "postgres");
    const generator = hasPostgres
      ? custom(childName(name, "password-generator"), passwordGenerator(), {
          ...parent,
          dependsOn: secretsReady,
        })
      : undefined;

    /** An agent's generated credentials for a PostgreSQL store, and their copy in Vault. */
    const credentialsOf = (store: string, agent: string) => {
      const secret = custom(
        childName(name, store, agent, "credentials"),
        agentCredentials(env, store, agent),
        {
          ...parent,
          dependsOn: [...secretsReady, ...(generator ? [generator] : [])],
        },
      );
      custom(childName(name, store, agent, "credentials-push"), agentCredentialsPush(env, store, agent), {
        ...parent,
        dependsOn: [...secretsReady, secret],
      });
      return secret;
    };
    /**
     * A cache's AUTH password in a Secret, pushed to Vault. On EKS it is generated here (ElastiCache needs it at
     * creation); in the cluster External Secrets generates it (lib/generated-secret.ts): never in Pulumi state.
     */
    const authOf = (store: string): { password?: random.RandomPassword; secret: pulumi.Resource } => {
      const n = storeNames(env, store);
      if (!cloud) {
        const made = generatedPassword({
          name: n.authSecret,
          namespace: STORES_NAMESPACE,
          key: "password",
          length: 64,
          labels: { "app.kubernetes.io/part-of": "agentops" },
        });
        const gen = custom(childName(name, store, "auth-generator"), made.generator, {
          ...parent,
          dependsOn: secretsReady,
        });
        const secret = custom(childName(name, store, "auth-secret"), made.externalSecret, {
          ...parent,
          dependsOn: [...secretsReady, gen],
        });
        custom(childName(name, store, "auth-push"), storeAuthPush(env, store), {
          ...parent,
          dependsOn: [...secretsReady, secret],
        });
        return { secret };
      }
      const password = new random.RandomPassword(
        childName(name, store, "auth"),
        { length: 64, special: false },
        parent,
      );
      const secret = new k8s.core.v1.Secret(
        childName(name, store, "auth-secret"),
        {
          metadata: {
            name: n.authSecret,
            namespace: STORES_NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "agentops" },
          },
          type: "Opaque",
          stringData: { password: pulumi.secret(password.result) },
        },
        { ...parent, dependsOn: inNamespace },
      );
      custom(childName(name, store, "auth-push"), storeAuthPush(env, store), {
        ...parent,
        dependsOn: [...secretsReady, secret],
      });
      return { password, secret };
    };

    let lookedUpCidr: pulumi.Input<string> | undefined;
    /** The VPC's CIDR, looked up once if the stack does not know it. */
    const vpcCidr = (c: StoresCloud) =>
      c.network.vpcCidr ?? (lookedUpCidr ??= aws.ec2.getVpcOutput({ id: c.network.vpcId }, parent).cidrBlock);
    const masterSecretArns: pulumi.Output<string>[] = [];
    const evidenceBuckets: { store: string; arn: pulumi.Output<string> }[] = [];
    const costResources: { type: string; name: string; urn: string; props: Record<string, unknown> }[] = [];
    const inCluster: {
      postgres: { store: string; instances: number; backupGapSeconds: number }[];
      valkey: { store: string; deployment: string }[];
    } = {
      postgres: [],
      valkey: [],
    };

    for (const [store, config] of storeEntries) {
      const n = storeNames(env, store);
      const awsNames = storeAwsNames(stem, store);
      const users = usersOf(args.agents, store);
      if (config.engine === "postgres" && cloud) {
        const sg = new aws.ec2.SecurityGroup(
          childName(name, store, "sg"),
          {
            vpcId: cloud.network.vpcId,
            description: `AgentOps store ${store}: PostgreSQL from the cluster's nodes only`,
            ingress: [
              {
                description: "Agents and the role bootstrap, from the cluster's nodes",
                protocol: "tcp",
                fromPort: STORE_PORTS.postgres,
                toPort: STORE_PORTS.postgres,
                securityGroups: [cloud.network.clusterSecurityGroupId],
              },
            ],
            tags: storeTags(tags, store),
          },
          { parent: this, protect },
        );
        const subnets = new aws.rds.SubnetGroup(
          childName(name, store, "subnets"),
          {
            description: `AgentOps store ${store}`,
            subnetIds: cloud.network.privateSubnetIds,
            tags: storeTags(tags, store),
          },
          { parent: this, protect },
        );
        const params = new aws.rds.ParameterGroup(
          childName(name, store, "params"),
          rdsParameterGroupArgs(names, store, tags),
          parent,
        );
        // Created before the instance, so RDS writes into a group with a retention instead of one kept forever.
        const logs = new aws.cloudwatch.LogGroup(
          childName(name, store, "logs"),
          { name: awsNames.rdsLogGroup, retentionInDays: 90, tags: storeTags(tags, store) },
          parent,
        );
        const instanceArgs = rdsInstanceArgs(
          names,
          store,
          config,
          {
            subnetGroupName: subnets.name,
            securityGroupId: sg.id,
            parameterGroupName: params.name,
            kmsKeyArn: key!.arn,
          },
          protect,
          tags,
        );
        costResources.push({
          type: "aws:rds/instance:Instance",
          name: store,
          urn: store,
          props: instanceArgs as unknown as Record<string, unknown>,
        });
        const instance = new aws.rds.Instance(childName(name, store, "db"), instanceArgs, {
          parent: this,
          protect,
          dependsOn: [logs],
        });
        new aws.rds.EventSubscription(
          childName(name, store, "events"),
          {
            name: `${awsNames.awsId}-events`,
            snsTopic: topic!.arn,
            sourceType: "db-instance",
            sourceIds: [instance.identifier],
            eventCategories: [...RDS_EVENT_CATEGORIES],
            tags: storeTags(tags, store),
          },
          parent,
        );
        for (const spec of rdsAlarms(stem, store, config)) alarm(spec, store);
        const secretArn = instance.masterUserSecrets.apply((s) => s?.[0]?.secretArn ?? "");
        masterSecretArns.push(secretArn);
        const master = custom(childName(name, store, "master"), rdsMasterCredentials(env, store, secretArn), {
          ...parent,
          dependsOn: secretsReady,
        });
        const credentials = users.map((agent) => credentialsOf(store, agent));
        if (users.length > 0) {
          // Named by a hash of the agents (object and resource alike): a new agent runs a new Job and the old
          // one goes, a create and a delete rather than the replacement of a Job that already ran.
          const job = rdsRolesJob(env, store, users, instance.address);
          new k8s.batch.v1.Job(childName(name, job.metadata.name), job, {
            ...parent,
            dependsOn: [...inNamespace, master, ...credentials, instance],
          });
        }
        endpoints[store] = {
          engine: "postgres",
          host: instance.address,
          database: n.database,
          to: [{ ipBlock: { cidr: vpcCidr(cloud) } }],
        };
      } else if (config.engine === "postgres") {
        const ready = [...inNamespace, ...(after.postgresOperator ?? [])];
        const cluster = custom(childName(name, store, "cluster"), cnpgCluster(store, config, env), {
          ...parent,
          protect,
          dependsOn: [...ready, ...(after.snapshots ?? [])],
        });
        const credentials = users.map((agent) => credentialsOf(store, agent));
        const roles = users.map((agent) =>
          custom(childName(name, store, agent, "role"), cnpgDatabaseRole(store, env, agent), {
            ...parent,
            dependsOn: [...ready, cluster, ...credentials],
          }),
        );
        custom(childName(name, store, "database"), cnpgDatabase(store, env, users), {
          ...parent,
          protect,
          dependsOn: [...ready, cluster, ...roles],
        });
        custom(childName(name, store, "scheduled-backup"), cnpgScheduledBackup(store, config, env), {
          ...parent,
          dependsOn: [...ready, cluster],
        });
        if (after.monitoring && after.monitoring.length > 0) {
          custom(childName(name, store, "pod-monitor"), cnpgPodMonitor(store, env), {
            ...parent,
            dependsOn: [...inNamespace, ...after.monitoring],
          });
        }
        inCluster.postgres.push({ store, instances: config.instances, backupGapSeconds: 86_400 });
        endpoints[store] = {
          engine: "postgres",
          host: `${n.clusterService}.${STORES_NAMESPACE}.svc.cluster.local`,
          database: n.database,
          to: [inClusterPeer(cnpgPodLabels(store))],
        };
      } else if (config.engine === "valkey" && cloud) {
        const password = authOf(store).password!;
        const sg = new aws.ec2.SecurityGroup(
          childName(name, store, "sg"),
          {
            vpcId: cloud.network.vpcId,
            description: `AgentOps store ${store}: Redis protocol from the cluster's nodes only`,
            ingress: [
              {
                description: "Agents, from the cluster's nodes",
                protocol: "tcp",
                fromPort: STORE_PORTS.valkey,
                toPort: STORE_PORTS.valkey,
                securityGroups: [cloud.network.clusterSecurityGroupId],
              },
            ],
            tags: storeTags(tags, store),
          },
          parent,
        );
        const subnets = new aws.elasticache.SubnetGroup(
          childName(name, store, "subnets"),
          {
            description: `AgentOps store ${store}`,
            subnetIds: cloud.network.privateSubnetIds,
            tags: storeTags(tags, store),
          },
          parent,
        );
        const groupArgs = elastiCacheArgs(
          names,
          store,
          config,
          {
            subnetGroupName: subnets.name,
            securityGroupId: sg.id,
            kmsKeyArn: key!.arn,
            authToken: password.result,
            notificationTopicArn: topic!.arn,
          },
          tags,
        );
        costResources.push({
          type: "aws:elasticache/replicationGroup:ReplicationGroup",
          name: store,
          urn: store,
          props: groupArgs as unknown as Record<string, unknown>,
        });
        const group = new aws.elasticache.ReplicationGroup(
          childName(name, store, "cache"),
          groupArgs,
          parent,
        );
        for (const spec of elastiCacheAlarms(stem, store, config)) alarm(spec, store);
        endpoints[store] = {
          engine: "valkey",
          host: group.primaryEndpointAddress,
          tls: true,
          to: [{ ipBlock: { cidr: vpcCidr(cloud) } }],
        };
      } else if (config.engine === "valkey") {
        const { secret } = authOf(store);
        const chart = pinnedChart("valkey");
        new k8s.helm.v3.Release(
          childName(name, store, "valkey"),
          {
            name: n.valkeyRelease,
            ...(args.releaseChart
              ? args.releaseChart(chart)
              : {
                  chart: chart.chart,
                  version: chart.version,
                  repositoryOpts: chart.repository ? { repo: chart.repository } : undefined,
                }),
            namespace: STORES_NAMESPACE,
            createNamespace: false,
            atomic: true,
            cleanupOnFail: true,
            timeout: 600,
            values: storeValkeyValues(store, config, env),
          },
          { ...parent, dependsOn: [...inNamespace, secret] },
        );
        inCluster.valkey.push({ store, deployment: n.valkeyFullname });
        endpoints[store] = {
          engine: "valkey",
          host: `${n.valkeyFullname}.${STORES_NAMESPACE}.svc.cluster.local`,
          tls: false,
          to: [inClusterPeer(valkeyPodLabels(store))],
        };
      } else if (config.engine === "s3" && cloud) {
        const accountId = scope!.apply((s) => s.accountId);
        const lock = config.objectLock;
        const bucketArgs: aws.s3.BucketArgs = {
          bucket: pulumi.interpolate`${awsNames.bucketStem}-${accountId}`,
          // Object Lock can only be turned on at creation; with it, objects outlive any destroy.
          objectLockEnabled: lock.enabled,
          forceDestroy: !protect && !lock.enabled,
          tags: evidenceBucketTags(tags, store, config),
        };
        costResources.push({
          type: "aws:s3/bucket:Bucket",
          name: store,
          urn: store,
          props: bucketArgs as unknown as Record<string, unknown>,
        });
        const bucket = new aws.s3.Bucket(childName(name, store, "bucket"), bucketArgs, {
          parent: this,
          protect,
        });
        const bucketOpts = { parent: this, dependsOn: [bucket] };
        new aws.s3.BucketPublicAccessBlock(
          childName(name, store, "public-access"),
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
          childName(name, store, "encryption"),
          {
            bucket: bucket.id,
            rules: [
              {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key!.arn },
                // One data key per bucket instead of one KMS request per object.
                bucketKeyEnabled: true,
              },
            ],
          },
          bucketOpts,
        );
        const versioning = new aws.s3.BucketVersioning(
          childName(name, store, "versioning"),
          { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
          bucketOpts,
        );
        if (lock.enabled) {
          new aws.s3.BucketObjectLockConfiguration(
            childName(name, store, "object-lock"),
            {
              bucket: bucket.id,
              objectLockEnabled: "Enabled",
              rule: { defaultRetention: { mode: lock.mode, days: lock.retentionDays } },
            },
            { parent: this, dependsOn: [bucket, versioning] },
          );
        }
        new aws.s3.BucketLifecycleConfiguration(
          childName(name, store, "lifecycle"),
          { bucket: bucket.id, rules: evidenceLifecycleRules(config) },
          { parent: this, dependsOn: [bucket, versioning] },
        );
        new aws.s3.BucketPolicy(
          childName(name, store, "tls-only"),
          { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
          bucketOpts,
        );
        evidenceBuckets.push({ store, arn: bucket.arn });
        endpoints[store] = {
          engine: "s3",
          bucket: bucket.bucket,
          region: cloud.region,
          podIdentity: true,
          to: [PUBLIC_INTERNET],
          port: 443,
        };
      } else if (config.engine === "s3") {
        const url = new URL(config.endpoint!);
        const network = config.network!;
        endpoints[store] = {
          engine: "s3",
          bucket: config.bucket!,
          region: config.region,
          endpoint: config.endpoint!,
          podIdentity: false,
          to: [
            "cidr" in network
              ? { ipBlock: { cidr: network.cidr } }
              : {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": network.namespace } },
                  podSelector: { matchLabels: { ...network.podLabels } },
                },
          ],
          port: url.port === "" ? 443 : Number(url.port),
        };
      }
    }

    // --- EKS: each agent's Pod Identity role for its prefix of the evidence buckets; ESO reads the master secrets ---
    if (cloud && evidenceBuckets.length > 0) {
      for (const agent of args.agents) {
        const buckets = evidenceBuckets.filter((b) => agent.stores.includes(b.store));
        if (buckets.length === 0) continue;
        const role = new aws.iam.Role(
          childName(name, agent.name, "role"),
          {
            description: `AgentOps agent ${agent.tenant}/${agent.name}: its prefix of the evidence buckets`,
            assumeRolePolicy: pulumi
              .all([scope!, cloud.clusterName])
              .apply(([s, cluster]) =>
                JSON.stringify(podIdentityTrust(s, cluster, agent.tenant, agent.name)),
              ),
            tags,
          },
          parent,
        );
        const policy = new aws.iam.RolePolicy(
          childName(name, agent.name, "policy"),
          {
            role: role.id,
            policy: pulumi
              .all([scope!, key!.arn, pulumi.all(buckets.map((b) => b.arn))])
              .apply(([s, keyArn, arns]) =>
                JSON.stringify(
                  agentEvidencePolicy(
                    s,
                    arns.map((arn) => ({ arn, prefix: `${agent.name}/` })),
                    keyArn,
                  ),
                ),
              ),
          },
          parent,
        );
        const association = new aws.eks.PodIdentityAssociation(
          childName(name, agent.name, "pod-identity"),
          {
            clusterName: cloud.clusterName,
            namespace: agent.tenant,
            serviceAccount: agent.name,
            roleArn: role.arn,
            tags,
          },
          { parent: this, dependsOn: [policy] },
        );
        agentDependencies[agent.name] = [association];
      }
    }
    if (cloud && masterSecretArns.length > 0) {
      new aws.iam.RolePolicy(
        childName(name, "external-secrets-policy"),
        {
          role: cloud.externalSecretsRoleName,
          policy: pulumi
            .all([key!.arn, pulumi.all(masterSecretArns)])
            .apply(([keyArn, arns]) => JSON.stringify(masterSecretsPolicy(arns, keyArn))),
        },
        parent,
      );
    }

    // --- the VolumeSnapshotClass (backups, CloudNativePG's backups, restores) ---
    const snapshotsOn =
      args.volumeSnapshots ??
      (args.backups.enabled || args.agents.some((a) => a.storage?.restoreFrom !== undefined));
    const driver = cloud ? "ebs.csi.aws.com" : args.backups.csiDriver;
    if (snapshotsOn) {
      custom(childName(name, "snapshot-class"), volumeSnapshotClass(driver), {
        ...parent,
        dependsOn: after.snapshots ?? [],
      });
    }
    this.snapshots = snapshotsOn
      ? {
          className: SNAPSHOT_CLASS,
          driver,
          ...(cloud === undefined && args.backups.enabled ? { schedule: args.backups.schedule } : {}),
        }
      : undefined;

    // --- Prometheus: the stores' cost series, full volumes, the in-cluster stores' health ---
    if (after.monitoring && after.monitoring.length > 0) {
      const prices = cloud ? regionPrices(cloud.region) : undefined;
      const costs = prices
        ? stackCostInput(costResources, DEFAULT_NODE_GROUPS).stores.map((s) => ({
            store: s.store,
            engine: args.stores[s.store]!.engine,
            monthlyUsd: storeMonthly(prices, s).monthlyUsd,
          }))
        : [];
      const tenants = [...new Set(args.agents.map((a) => a.tenant))];
      const gap = (schedule: string) => Math.round((longestGapMinutes(schedule) ?? 1440) * 60);
      const rule = storesPrometheusRule({
        volumeNamespaces: [
          ...tenants,
          ...(cloud ? [] : inCluster.postgres.length + inCluster.valkey.length > 0 ? [STORES_NAMESPACE] : []),
        ],
        costs,
        postgres: inCluster.postgres,
        valkey: inCluster.valkey,
        ...(cloud === undefined && args.backups.enabled
          ? {
              snapshotSchedule: {
                cronJob: SNAPSHOT_SCHEDULE.cronJob,
                gapSeconds: gap(args.backups.schedule),
              },
            }
          : {}),
      });
      if (rule) custom(childName(name, "prometheusrule"), rule, { ...parent, dependsOn: after.monitoring });
    }

    this.endpoints = endpoints;
    this.egress = Object.fromEntries(Object.entries(endpoints).map(([store, e]) => [store, storeEgress(e)]));
    this.agentDependencies = agentDependencies;
    this.registerOutputs({});
  }

  /** What `agent` gets from the stores it lists. */
  agentAccess(agent: AgentConfig): AgentStoreAccess {
    return agentStoreAccess(this.environment, agent.name, agent.stores, this.endpoints);
  }
}

export interface VolumeBackupsArgs {
  environment: Environment;
  /**
   * The stack's name: a stack that is not its environment's own (an ephemeral `it-1a2b3c4d` from dev's stack
   * file, in dev's account) names its backup vault, plan and alarms after itself (config/stack-names.ts `storesNameStem`), never the environment's own.
   * @default the environment's own names
   */
  stack?: string;
  /** The validated `agentops:backups` (enabled). */
  backups: BackupsConfig;
  /** The tenants' namespaces: their agents' claims are backed up. */
  tenants: readonly string[];
  /** EKS: AWS Backup. @default undefined: the in-cluster schedule */
  cloud?: { region: string; kmsKeyArn: pulumi.Input<string>; alarmTopicArn: pulumi.Input<string> };
  /** Whether the stores run CloudNativePG clusters (their Backups are pruned too) or Valkey (its volume is snapshotted). */
  inClusterStores?: { postgres: boolean; valkey: boolean };
  /** `protect` the vault (prod). @default false */
  protect?: boolean;
  tags?: Record<string, string>;
  /** What the in-cluster schedule waits for: the stores' namespace, the snapshot CRDs, the tenants. @default nothing */
  after?: pulumi.Resource[];
}

/** Backups of agents' volumes: AWS Backup on EKS, the in-cluster VolumeSnapshot schedule elsewhere. */
export class VolumeBackups extends pulumi.ComponentResource {
  constructor(name: string, args: VolumeBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:stores:VolumeBackups", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    const { backups, environment: env } = args;
    const stem = storesNameStem(env, args.stack);
    const cloud = args.cloud;
    if (cloud) {
      const identity = aws.getCallerIdentityOutput({}, parent);
      const partition = aws.getPartitionOutput({}, parent).partition;
      const scope = pulumi
        .all([partition, identity.accountId])
        .apply(([p, accountId]) => ({ partition: p, region: cloud.region, accountId }));
      const vault = new aws.backup.Vault(
        childName(name, "vault"),
        { name: backupVaultName(stem), kmsKeyArn: cloud.kmsKeyArn, forceDestroy: !args.protect, tags },
        { parent: this, protect: args.protect ?? false },
      );
      new aws.backup.VaultNotifications(
        childName(name, "vault-notifications"),
        {
          backupVaultName: vault.name,
          snsTopicArn: cloud.alarmTopicArn,
          backupVaultEvents: [...BACKUP_VAULT_EVENTS],
        },
        parent,
      );
      const role = new aws.iam.Role(
        childName(name, "role"),
        {
          description: `agentops-${env}: AWS Backup of agent volumes`,
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
          tags,
        },
        parent,
      );
      const attachments = BACKUP_ROLE_POLICIES.map(
        (policy) =>
          new aws.iam.RolePolicyAttachment(
            childName(name, "role", policy.split("/").pop()!),
            { role: role.name, policyArn: partition.apply((p) => managedPolicy(p, policy)) },
            parent,
          ),
      );
      const plan = new aws.backup.Plan(
        childName(name, "plan"),
        backupPlanArgs(stem, backups, vault.name, tags),
        parent,
      );
      for (const tenant of [...args.tenants].sort()) {
        new aws.backup.Selection(
          childName(name, "selection", tenant),
          backupSelectionArgs(tenant, scope.apply(ebsVolumesArn), plan.id, role.arn),
          { parent: this, dependsOn: attachments },
        );
      }
      for (const spec of backupAlarms(stem, backups)) {
        new aws.cloudwatch.MetricAlarm(
          childName(name, spec.args.name as string),
          { ...spec.args, alarmActions: [cloud.alarmTopicArn], okActions: [cloud.alarmTopicArn], tags },
          parent,
        );
      }
    } else {
      const stores = args.inClusterStores ?? { postgres: false, valkey: false };
      const targets: SnapshotTarget[] = [
        ...[...args.tenants].sort().map((namespace) => ({ namespace, selector: AGENT_CLAIMS_SELECTOR })),
        ...(stores.valkey
          ? [{ namespace: STORES_NAMESPACE, selector: "app.kubernetes.io/name=valkey" }]
          : []),
      ];
      const child = { parent: this, dependsOn: args.after ?? [] };
      new k8s.core.v1.ServiceAccount(
        childName(name, "service-account"),
        {
          metadata: {
            name: SNAPSHOT_SCHEDULE.serviceAccount,
            namespace: STORES_NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "agentops" },
          },
          automountServiceAccountToken: false,
        },
        child,
      );
      const namespaces = [
        ...new Set([...targets.map((t) => t.namespace), ...(stores.postgres ? [STORES_NAMESPACE] : [])]),
      ];
      for (const ns of namespaces) {
        const cnpg = stores.postgres && ns === STORES_NAMESPACE;
        const role = new k8s.rbac.v1.Role(childName(name, "role", ns), snapshotRole(ns, cnpg), child);
        new k8s.rbac.v1.RoleBinding(childName(name, "role-binding", ns), snapshotRoleBinding(ns), {
          ...child,
          dependsOn: [...(args.after ?? []), role],
        });
      }
      const script = new k8s.core.v1.ConfigMap(
        childName(name, "script"),
        snapshotConfigMap(snapshotScript(targets, stores.postgres)),
        child,
      );
      new k8s.batch.v1.CronJob(childName(name, "cronjob"), snapshotCronJob(backups), {
        ...child,
        dependsOn: [...(args.after ?? []), script],
      });
    }
    this.registerOutputs({});
  }
}

/** The store objects' type, re-exported for tests. */
export type { StoreObject };
