/**
 * The cluster's network. Either a new VPC over three availability zones: private subnets for nodes (one NAT
 * gateway, or one per zone), public subnets for internet-facing load balancers, and an S3 gateway endpoint so
 * image layers and Loki's chunks do not pay NAT processing. Or an existing VPC, of which only the ids are used.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ExistingVpcNetworkConfig, NetworkConfig, NewVpcNetworkConfig } from "../config";
import { childName } from "../lib/names";

export interface SubnetPlan {
  zone: string;
  privateCidr: string;
  publicCidr: string;
}

const toInt = (address: string) => address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
const toAddress = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/**
 * Splits the VPC into quarters: one private subnet per zone in the first three (nodes and pods take VPC
 * addresses, so they get the room), and the last quarter cut in four for the small public subnets.
 * A /16 gives /18 private and /20 public subnets. Pure.
 */
export function planSubnets(vpcCidr: string, zones: readonly string[]): SubnetPlan[] {
  const [address, bits] = vpcCidr.split("/") as [string, string];
  const base = toInt(address);
  const prefix = Number(bits);
  const quarter = 2 ** (32 - prefix - 2);
  const sixteenth = 2 ** (32 - prefix - 4);
  return zones.map((zone, i) => ({
    zone,
    privateCidr: `${toAddress(base + i * quarter)}/${prefix + 2}`,
    publicCidr: `${toAddress(base + 3 * quarter + i * sixteenth)}/${prefix + 4}`,
  }));
}

/** Subnet tags: which subnets the AWS Load Balancer Controller picks, and which cluster may use them. */
export function subnetTags(clusterName: string, kind: "public" | "private"): Record<string, string> {
  return {
    [kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
  };
}

export interface NetworkArgs {
  network: NetworkConfig;
  clusterName: string;
  region: string;
  tags: Record<string, string>;
}

/** What the cluster needs of its network, whoever owns it. */
export interface Network {
  vpcId: pulumi.Input<string>;
  /** Subnets of the node groups and of the control plane's network interfaces. */
  privateSubnetIds: pulumi.Input<string>[];
  /**
   * The availability zone of each private subnet, in the same order: a new VPC's zones; `undefined` for an
   * existing VPC, whose subnets' zones the stack does not know (its owner puts them in distinct zones).
   */
  privateSubnetZones?: string[];
  publicSubnetIds: pulumi.Input<string>[];
  /** The resources of a new VPC; `undefined` for an existing VPC, which this stack does not own. */
  created?: CreatedNetwork;
}

/** The resources of a VPC this stack declares. */
export interface CreatedNetwork {
  vpc: aws.ec2.Vpc;
  privateSubnets: aws.ec2.Subnet[];
  publicSubnets: aws.ec2.Subnet[];
  natGateways: aws.ec2.NatGateway[];
  privateRouteTables: aws.ec2.RouteTable[];
}

/** Registers a new VPC as children of `parent`, or, for an existing VPC, registers nothing. */
export function createNetwork(name: string, args: NetworkArgs, parent: pulumi.Resource): Network {
  if ("existing" in args.network) return existingNetwork(args.network);
  const created = createVpc(name, { ...args, network: args.network }, parent);
  return {
    vpcId: created.vpc.id,
    privateSubnetIds: created.privateSubnets.map((s) => s.id),
    privateSubnetZones: [...args.network.availabilityZones],
    publicSubnetIds: created.publicSubnets.map((s) => s.id),
    created,
  };
}

/**
 * An existing VPC as the cluster sees it: its ids, nothing declared. The S3 gateway endpoint is left out
 * too: it is attached to route tables, and the subnets' route tables are not ours to change. The owner
 * also tags the subnets (see {@link subnetTags}); tags on a subnet this stack does not own would be
 * overwritten by, or overwrite, the owner's. Pure.
 */
export function existingNetwork(network: ExistingVpcNetworkConfig): Network {
  return {
    vpcId: network.existing.vpcId,
    privateSubnetIds: [...network.existing.privateSubnetIds],
    publicSubnetIds: [...network.existing.publicSubnetIds],
  };
}

function createVpc(
  name: string,
  args: NetworkArgs & { network: NewVpcNetworkConfig },
  parent: pulumi.Resource,
): CreatedNetwork {
  const opts = { parent };
  const tagged = (suffix: string, extra: Record<string, string> = {}) => ({
    ...args.tags,
    Name: `${args.clusterName}-${suffix}`,
    ...extra,
  });
  const plan = planSubnets(args.network.vpcCidr, args.network.availabilityZones);

  const vpc = new aws.ec2.Vpc(
    childName(name, "vpc"),
    {
      cidrBlock: args.network.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tagged("vpc"),
    },
    opts,
  );
  const igw = new aws.ec2.InternetGateway(
    childName(name, "igw"),
    { vpcId: vpc.id, tags: tagged("igw") },
    opts,
  );

  const publicSubnets = plan.map(
    (p) =>
      new aws.ec2.Subnet(
        childName(name, "public", p.zone),
        {
          vpcId: vpc.id,
          availabilityZone: p.zone,
          cidrBlock: p.publicCidr,
          // Load balancers and NAT gateways get their addresses explicitly; nothing launched here should.
          mapPublicIpOnLaunch: false,
          tags: tagged(`public-${p.zone}`, subnetTags(args.clusterName, "public")),
        },
        opts,
      ),
  );
  const privateSubnets = plan.map(
    (p) =>
      new aws.ec2.Subnet(
        childName(name, "private", p.zone),
        {
          vpcId: vpc.id,
          availabilityZone: p.zone,
          cidrBlock: p.privateCidr,
          mapPublicIpOnLaunch: false,
          tags: tagged(`private-${p.zone}`, subnetTags(args.clusterName, "private")),
        },
        opts,
      ),
  );

  const publicTable = new aws.ec2.RouteTable(
    childName(name, "public-rt"),
    { vpcId: vpc.id, tags: tagged("public") },
    opts,
  );
  new aws.ec2.Route(
    childName(name, "public-default"),
    { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
    opts,
  );
  publicSubnets.forEach(
    (subnet, i) =>
      new aws.ec2.RouteTableAssociation(
        childName(name, "public-rta", plan[i]!.zone),
        { subnetId: subnet.id, routeTableId: publicTable.id },
        opts,
      ),
  );

  // One NAT gateway is a single-zone dependency for egress: fine for dev, not for prod.
  const natZones = args.network.natGateways === "perZone" ? plan.length : 1;
  const natGateways = plan.slice(0, natZones).map((p, i) => {
    const eip = new aws.ec2.Eip(
      childName(name, "nat-eip", p.zone),
      { domain: "vpc", tags: tagged(`nat-${p.zone}`) },
      opts,
    );
    return new aws.ec2.NatGateway(
      childName(name, "nat", p.zone),
      { allocationId: eip.id, subnetId: publicSubnets[i]!.id, tags: tagged(`nat-${p.zone}`) },
      { parent, dependsOn: [igw] },
    );
  });

  const privateRouteTables = plan.map((p, i) => {
    const table = new aws.ec2.RouteTable(
      childName(name, "private-rt", p.zone),
      { vpcId: vpc.id, tags: tagged(`private-${p.zone}`) },
      opts,
    );
    new aws.ec2.Route(
      childName(name, "private-default", p.zone),
      {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: (natGateways[i] ?? natGateways[0]!).id,
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      childName(name, "private-rta", p.zone),
      { subnetId: privateSubnets[i]!.id, routeTableId: table.id },
      opts,
    );
    return table;
  });

  new aws.ec2.VpcEndpoint(
    childName(name, "s3-endpoint"),
    {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${args.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRouteTables.map((t) => t.id),
      tags: tagged("s3"),
    },
    opts,
  );

  return { vpc, privateSubnets, publicSubnets, natGateways, privateRouteTables };
}
