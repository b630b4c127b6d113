/**
 * The price table of the cost model: data, dated, with a source per figure group. Keyed by region, so another
 * region is a data addition, not a code change.
 *
 * All prices are USD list prices, Linux, shared tenancy, without Savings Plans, Reserved Instances, taxes or
 * free tiers. They were recorded on {@link PRICE_TABLE_DATE}; AWS changes prices rarely, but do re-check
 * them against the sources before trusting a figure to the cent.
 */

/** One EC2 instance type: its shape and its on-demand price. */
export interface InstanceType {
  vcpu: number;
  memoryGiB: number;
  /** Whole GPUs of the instance. */
  gpus: number;
  /** On-demand USD per hour. */
  onDemandHourly: number;
}

/** The prices of one region. */
export interface RegionPrices {
  instances: Readonly<Record<string, InstanceType>>;
  /**
   * Fraction of the on-demand price a spot instance costs on average (0.5 = half price). One planning figure
   * for all types, not a quote: spot prices move with supply and demand per type and zone.
   */
  spotPriceRatio: number;
  /** EKS control plane, standard support, USD per cluster-hour. */
  eksControlPlaneHourly: number;
  /** NAT gateway, USD per gateway-hour. */
  natGatewayHourly: number;
  /** NAT gateway data processing, USD per GB. */
  natGatewayPerGb: number;
  /** EBS gp3 storage, USD per GB-month (baseline 3,000 IOPS and 125 MB/s included). */
  gp3PerGbMonth: number;
  /**
   * ElastiCache for Valkey on-demand nodes (node-based, not serverless), USD per node-hour, by node type: the
   * LLM gateway's counter store.
   */
  elastiCacheValkeyNodeHourly: Readonly<Record<string, number>>;
  /**
   * RDS for PostgreSQL on-demand instances, Single-AZ, USD per instance-hour, by instance class: the data
   * stores' audit database. A Multi-AZ instance bills its standby too: twice the figure.
   */
  rdsPostgresInstanceHourly: Readonly<Record<string, number>>;
  /** RDS gp3 storage, Single-AZ, USD per GB-month (baseline IOPS included); Multi-AZ bills it twice. */
  rdsGp3PerGbMonth: number;
  /** RDS backup storage beyond the free amount (100 % of the provisioned storage), USD per GB-month. */
  rdsBackupPerGbMonth: number;
  /** S3 Standard storage (first 50 TB), USD per GB-month. */
  s3StandardPerGbMonth: number;
  /** S3 Standard PUT, COPY, POST and LIST requests, USD per 1,000. */
  s3WritesPer1000: number;
  /** S3 Standard GET and other reads, USD per 1,000. */
  s3ReadsPer1000: number;
  /** EBS snapshots (standard tier; AWS Backup's EBS backups are billed the same), USD per GB-month. */
  ebsSnapshotPerGbMonth: number;
  /** CloudWatch alarm on one standard-resolution metric, USD per alarm-month. */
  cloudWatchAlarmMonthly: number;
}

/** The day the figures below were recorded. */
export const PRICE_TABLE_DATE = "2026-11-23";

/** Where each group of figures comes from. */
export const PRICE_SOURCES = {
  ec2OnDemand:
    "https://aws.amazon.com/ec2/pricing/on-demand/ (US East (N. Virginia), Linux). Corroborated: m6i.xlarge $0.192 and m7i.xlarge $0.2016 by https://c3x.dev/blog/m5-vs-m6i-vs-m7i-cost-performance; g5.xlarge $1.006 by https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/ (2026-06-17)",
  ec2Spot:
    "Assumption, not a quote: spot at 50% of on-demand. AWS states discounts of 'up to 90%' (https://aws.amazon.com/ec2/spot/pricing/); Isobe et al. (BNCSS) found 70-90% the most frequent discount under the 2017 pricing model; https://www.mmcloud.io/blog/variability-in-aws-ec2-spot-instance-discounts (2023-10-10) finds us-east-1 among the smallest discounts. 50% is deliberately conservative for budgets; replace it with `aws ec2 describe-spot-price-history` averages for real planning",
  eks: "https://aws.amazon.com/eks/pricing/ ($0.10 per cluster-hour, standard support)",
  natGateway: "https://aws.amazon.com/vpc/pricing/ ($0.045 per NAT gateway-hour, $0.045 per GB processed)",
  ebs: "https://aws.amazon.com/ebs/pricing/ (gp3 $0.08 per GB-month)",
  elastiCache:
    "https://aws.amazon.com/elasticache/pricing/ (on-demand nodes, US East (N. Virginia)), whose per-node table is not in the stored copy of the page: Valkey cache.t4g.micro $0.0128, cache.t4g.small $0.0256, cache.t4g.medium $0.052, cache.m7g.large $0.1264, cache.r7g.large $0.1752 per node-hour, as third-party copies of the AWS Price List API give them (cacheEngine Valkey, read 2026-10-02); each is 0.8 × the Redis OSS price of the same type ($0.016, $0.032, $0.065, $0.158, $0.219), as AWS announced: 'node-based priced 20% lower than other supported engines' (https://aws.amazon.com/about-aws/whats-new/2024/10/amazon-elasticache-valkey/, 2024-10-08)",
  rds: "https://aws.amazon.com/rds/postgresql/pricing/ (on-demand, US East (N. Virginia)), its figures as third-party copies give them: db.t4g.micro $0.016, db.t4g.small $0.032, db.t4g.medium $0.065 per Single-AZ instance-hour, Multi-AZ exactly twice, as https://infratally.com/articles/aws-rds-pricing-explained-2026.html gives them (2026); gp3 $0.115 per GB-month and backup storage beyond the provisioned size $0.095 per GB-month, as https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ gives them (US East, June 2026). Read 2026-12-05; the AWS page itself was not re-read",
  s3: "https://aws.amazon.com/s3/pricing/ (US East (N. Virginia)): S3 Standard $0.023 per GB-month (first 50 TB), PUT/COPY/POST/LIST $0.005 and GET $0.0004 per 1,000 requests; Standard $0.023 corroborated by https://cloudburn.io/blog/amazon-s3-pricing (2026-03-13, read 2026-12-05); the request prices are AWS's long-standing list prices, not re-read here",
  snapshots:
    "https://aws.amazon.com/ebs/pricing/ (EBS snapshots, standard tier, $0.05 per GB-month) and https://aws.amazon.com/backup/pricing/ (Amazon EBS backup, warm storage, the same $0.05 per GB-month): AWS's list prices, not re-read here (2026-12-05)",
  cloudWatch:
    "https://aws.amazon.com/cloudwatch/pricing/ (alarms: $0.10 per standard-resolution alarm metric a month): AWS's list price, not re-read here (2026-12-05)",
} as const;

/** Instance shapes from https://aws.amazon.com/ec2/instance-types/ (m7i, m6i, m7a, m6a, g6, g5). */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    instances: {
      "m7i.large": { vcpu: 2, memoryGiB: 8, gpus: 0, onDemandHourly: 0.1008 },
      "m7i.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 0, onDemandHourly: 0.2016 },
      "m6i.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 0, onDemandHourly: 0.192 },
      "m7a.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 0, onDemandHourly: 0.23184 },
      "m6a.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 0, onDemandHourly: 0.1728 },
      // One NVIDIA L4 (g6) or A10G (g5) each.
      "g6.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 1, onDemandHourly: 0.8048 },
      "g5.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 1, onDemandHourly: 1.006 },
    },
    spotPriceRatio: 0.5,
    eksControlPlaneHourly: 0.1,
    natGatewayHourly: 0.045,
    natGatewayPerGb: 0.045,
    gp3PerGbMonth: 0.08,
    elastiCacheValkeyNodeHourly: {
      "cache.t4g.micro": 0.0128,
      "cache.t4g.small": 0.0256,
      "cache.t4g.medium": 0.052,
      "cache.m7g.large": 0.1264,
      "cache.r7g.large": 0.1752,
    },
    rdsPostgresInstanceHourly: {
      "db.t4g.micro": 0.016,
      "db.t4g.small": 0.032,
      "db.t4g.medium": 0.065,
    },
    rdsGp3PerGbMonth: 0.115,
    rdsBackupPerGbMonth: 0.095,
    s3StandardPerGbMonth: 0.023,
    s3WritesPer1000: 0.005,
    s3ReadsPer1000: 0.0004,
    ebsSnapshotPerGbMonth: 0.05,
    cloudWatchAlarmMonthly: 0.1,
  },
};

/** A region or instance type the price table does not know: one line naming it and what is known. */
export class CostModelError extends Error {
  override name = "CostModelError";
}

/** The prices of `region`. @throws {CostModelError} when the table has no prices for it. */
export function regionPrices(region: string): RegionPrices {
  const prices = PRICES[region];
  if (!prices) {
    throw new CostModelError(
      `region: ${JSON.stringify(region)} — no prices in components/src/catalog/prices.ts (priced regions: ${Object.keys(PRICES).join(", ")})`,
    );
  }
  return prices;
}

/** The instance type `name` of `region`. @throws {CostModelError} when the table does not know it. */
export function instanceType(prices: RegionPrices, name: string, region = "the region"): InstanceType {
  const found = prices.instances[name];
  if (!found) {
    throw new CostModelError(
      `instance type: ${JSON.stringify(name)} — no price for ${region} in components/src/catalog/prices.ts (priced: ${Object.keys(prices.instances).join(", ")})`,
    );
  }
  return found;
}

/** The hourly price of one Single-AZ RDS for PostgreSQL instance. @throws {CostModelError} when the table does not know it. */
export function rdsInstanceHourly(
  prices: RegionPrices,
  instanceClass: string,
  region = "the region",
): number {
  const found = prices.rdsPostgresInstanceHourly[instanceClass];
  if (found === undefined) {
    throw new CostModelError(
      `RDS instance class: ${JSON.stringify(instanceClass)} — no price for ${region} in components/src/catalog/prices.ts (priced: ${Object.keys(prices.rdsPostgresInstanceHourly).join(", ")})`,
    );
  }
  return found;
}

/** The hourly price of one ElastiCache for Valkey node. @throws {CostModelError} when the table does not know it. */
export function elastiCacheNodeHourly(prices: RegionPrices, nodeType: string, region = "the region"): number {
  const found = prices.elastiCacheValkeyNodeHourly[nodeType];
  if (found === undefined) {
    throw new CostModelError(
      `ElastiCache node type: ${JSON.stringify(nodeType)} — no price for ${region} in components/src/catalog/prices.ts (priced: ${Object.keys(prices.elastiCacheValkeyNodeHourly).join(", ")})`,
    );
  }
  return found;
}
