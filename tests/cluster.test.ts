import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  ciRunner,
  parseStackConfig,
  rawStackConfig,
  type EksClusterConfig,
  type RawStackConfig,
} from "@agentops/components";
import { readStackConfig, synthesize } from "@agentops/components/testing";
import {
  createCluster,
  EKS_ADDON_VERSIONS,
  EXISTING_CLUSTER_CAPABILITIES,
  gpusPerNode,
  planSubnets,
  zonalScaling,
  zoneSuffix,
  type ClusterHandle,
} from "../components/src/cluster";
import { MAX_STORES_STEM, storesNameStem } from "../components/src/config/stack-names";
import { configProblems, record, ROOT, stackConfig, STACKS, type Recorded } from "./harness";

/** The inputs by which AWS names a resource (the physical names two stacks in one account must not share). */
const PHYSICAL_NAME_KEYS = [
  "name",
  "namePrefix",
  "bucket",
  "identifier",
  "finalSnapshotIdentifier",
  "replicationGroupId",
  "nodeGroupNamePrefix",
  "clusterName",
];

const T = {
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  addon: "aws:eks/addon:Addon",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  key: "aws:kms/key:Key",
  subnet: "aws:ec2/subnet:Subnet",
  nat: "aws:ec2/natGateway:NatGateway",
  route: "aws:ec2/route:Route",
  bucket: "aws:s3/bucket:Bucket",
  asgTag: "aws:autoscaling/tag:Tag",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  k8sProvider: "pulumi:providers:kubernetes",
} as const;

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
const N = "agentops";

function eksConfig(stack: string): EksClusterConfig {
  const cluster = stackConfig(stack).cluster;
  assert.equal(cluster.mode, "eks");
  return cluster;
}

/** Records createCluster for a stack file's config, optionally changed; memoised per unchanged stack. */
const recorded = new Map<string, Promise<{ rec: Recorded; handle: ClusterHandle }>>();
function synthCluster(stack: string, change?: (c: EksClusterConfig) => void) {
  const run = async () => {
    const cfg = stackConfig(stack);
    if (change) change(cfg.cluster as EksClusterConfig);
    let handle: ClusterHandle | undefined;
    const rec = await record(
      () => {
        handle = createCluster(N, { config: cfg.cluster, environment: cfg.environment, region: cfg.region });
      },
      { "aws:region": REGION },
    );
    return { rec, handle: handle! };
  };
  if (change) return run();
  let result = recorded.get(stack);
  if (!result) recorded.set(stack, (result = run()));
  return result;
}
const synth = async (stack: string) => (await synthCluster(stack)).rec;

/** Resolves an output under the mocks; `[secret]` for a secret one. */
async function resolve<T>(output: pulumi.Output<T>): Promise<T | "[secret]"> {
  const value = await new Promise<T>((ok) => output.apply((v) => ok(v)));
  return (await pulumi.isSecret(output)) ? "[secret]" : value;
}

const parsePolicy = (rec: Recorded, name: string) =>
  JSON.parse(rec.inputs(T.rolePolicy, name).policy as string);
const attachedPolicies = (rec: Recorded, role: string) =>
  rec
    .ofType(T.attachment)
    .filter((a) => a.name.startsWith(`${N}-${role}-`))
    .map((a) => a.inputs.policyArn)
    .sort();

// ---------------------------------------------------------------------------------------------------------

describe("cluster configuration (agentops:cluster)", () => {
  function problems(change: (c: Record<string, unknown>) => void): string[] {
    const raw: RawStackConfig = rawStackConfig(readStackConfig(ROOT, "dev").config);
    change(raw.agentops.cluster as Record<string, unknown>);
    return configProblems(raw);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw YAML, changed freely
  const groups = (c: Record<string, unknown>) => c.nodeGroups as any;

  for (const stack of STACKS) {
    it(`accepts Pulumi.${stack}.yaml with Kubernetes 1.35 and a private endpoint`, () => {
      const c = eksConfig(stack);
      assert.equal(c.kubernetesVersion, "1.35");
      assert.deepEqual(c.endpoint, { publicAccessCidrs: [], allowPublicInternet: false });
    });
  }

  it("offers exactly the Kubernetes versions with pinned add-on builds", () => {
    assert.deepEqual(Object.keys(EKS_ADDON_VERSIONS), ["1.35"]);
  });

  it("rejects an unsupported Kubernetes version", () => {
    assert.deepEqual(
      problems((c) => (c.kubernetesVersion = "1.29")),
      [
        `cluster.kubernetesVersion: "1.29" — must be a Kubernetes version in EKS standard support with pinned add-on versions: 1.35`,
      ],
    );
  });

  it("rejects 0.0.0.0/0 on the API endpoint without the explicit opt-in", () => {
    assert.deepEqual(
      problems((c) => (c.endpoint = { publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] })),
      [
        `cluster.endpoint.publicAccessCidrs[1]: "0.0.0.0/0" — must not be the whole internet unless endpoint.allowPublicInternet is true; list the networks that need the API`,
      ],
    );
  });

  it("accepts 0.0.0.0/0 on the API endpoint with allowPublicInternet: true", () => {
    const raw = rawStackConfig(readStackConfig(ROOT, "dev").config);
    (raw.agentops.cluster as Record<string, unknown>).endpoint = {
      publicAccessCidrs: ["0.0.0.0/0"],
      allowPublicInternet: true,
    };
    const cluster = parseStackConfig(raw).cluster as EksClusterConfig;
    assert.deepEqual(cluster.endpoint.publicAccessCidrs, ["0.0.0.0/0"]);
  });

  it("rejects a spot group with fewer than 3 instance types", () => {
    assert.deepEqual(
      problems((c) => (groups(c).spot.instanceTypes = ["m7i.xlarge", "m6i.xlarge"])),
      [
        `cluster.nodeGroups.spot.instanceTypes: ["m7i.xlarge","m6i.xlarge"] — must list at least 3 instance types (interchangeable types keep the group alive when one spot pool is reclaimed)`,
      ],
    );
  });

  it("rejects a repeated instance type", () => {
    assert.deepEqual(
      problems((c) => (groups(c).spot.instanceTypes = ["m7i.xlarge", "m6i.xlarge", "m7i.xlarge"])),
      [`cluster.nodeGroups.spot.instanceTypes[2]: "m7i.xlarge" — must be unique (also instanceTypes[0])`],
    );
  });

  it("rejects a GPU group instance type that is not an NVIDIA GPU type", () => {
    assert.deepEqual(
      problems((c) => (groups(c).gpu.instanceTypes = ["g6.xlarge", "m7i.xlarge"])),
      [
        `cluster.nodeGroups.gpu.instanceTypes[1]: "m7i.xlarge" — must be an NVIDIA GPU instance type the AL2023_x86_64_NVIDIA AMI runs (g4dn, g5, g6, g6e, p4d, p5, p5e, p5en families)`,
      ],
    );
  });

  it("rejects a Graviton type in a group that runs the x86_64 AMI", () => {
    assert.deepEqual(
      problems((c) => (groups(c).system.instanceTypes = ["m7g.large"])),
      [
        `cluster.nodeGroups.system.instanceTypes[0]: "m7g.large" — must be an x86_64 instance type: the group runs the AL2023_x86_64_STANDARD AMI (Graviton needs an ARM AMI)`,
      ],
    );
  });

  it("rejects a desired size outside minSize..maxSize", () => {
    assert.deepEqual(
      problems((c) => (groups(c).system.desiredSize = 5)),
      ["cluster.nodeGroups.system.desiredSize: 5 — must be <= maxSize (4)"],
    );
  });

  it("rejects a system group that can scale to zero", () => {
    assert.deepEqual(
      problems((c) => (groups(c).system.minSize = 0)),
      ["cluster.nodeGroups.system.minSize: 0 — must be a whole number from 1 to 100"],
    );
  });

  it("rejects a repeated availability zone", () => {
    assert.deepEqual(
      problems(
        (c) =>
          ((c.network as Record<string, unknown>).availabilityZones = [
            "us-east-1a",
            "us-east-1b",
            "us-east-1a",
          ]),
      ),
      [`cluster.network.availabilityZones[2]: "us-east-1a" — must be unique (also availabilityZones[0])`],
    );
  });

  it("rejects two availability zones", () => {
    assert.deepEqual(
      problems(
        (c) => ((c.network as Record<string, unknown>).availabilityZones = ["us-east-1a", "us-east-1b"]),
      ),
      [
        `cluster.network.availabilityZones: ["us-east-1a","us-east-1b"] — must list exactly 3 availability zones`,
      ],
    );
  });

  it("rejects a VPC CIDR too small to split for nodes and pods", () => {
    assert.deepEqual(
      problems((c) => ((c.network as Record<string, unknown>).vpcCidr = "10.10.0.0/24")),
      [
        `cluster.network.vpcCidr: "10.10.0.0/24" — must be a network address from /16 to /20 (pods take VPC addresses), e.g. 10.10.0.0/16`,
      ],
    );
  });

  it("rejects a VPC CIDR with host bits set", () => {
    assert.deepEqual(
      problems((c) => ((c.network as Record<string, unknown>).vpcCidr = "10.10.1.0/16")),
      [
        `cluster.network.vpcCidr: "10.10.1.0/16" — must be a network address from /16 to /20 (pods take VPC addresses), e.g. 10.10.0.0/16`,
      ],
    );
  });

  describe("network.existing", () => {
    const existing = {
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    };
    const withExisting = (change: (e: Record<string, unknown>) => void = () => undefined) =>
      problems((c) => {
        const e: Record<string, unknown> = structuredClone(existing);
        change(e);
        c.network = { existing: e };
      });

    it("accepts a VPC id and private subnets, with no public subnets by default", () => {
      const raw = rawStackConfig(readStackConfig(ROOT, "dev").config);
      (raw.agentops.cluster as Record<string, unknown>).network = { existing };
      const cluster = parseStackConfig(raw).cluster as EksClusterConfig;
      assert.deepEqual(cluster.network, { existing: { ...existing, publicSubnetIds: [] } });
    });

    it("rejects a VPC id that is not one", () => {
      assert.deepEqual(
        withExisting((e) => (e.vpcId = "vpc-main")),
        [`cluster.network.existing.vpcId: "vpc-main" — must be a VPC id, e.g. vpc-0123456789abcdef0`],
      );
    });

    it("rejects a missing VPC id", () => {
      assert.deepEqual(
        withExisting((e) => delete e.vpcId),
        [`cluster.network.existing.vpcId: (missing) — must be a VPC id, e.g. vpc-0123456789abcdef0`],
      );
    });

    it("rejects a subnet id that is not one", () => {
      assert.deepEqual(
        withExisting((e) => (e.privateSubnetIds = ["subnet-0a1b2c3d4e5f60001", "subnet-0A1B2C3D"])),
        [
          `cluster.network.existing.privateSubnetIds[1]: "subnet-0A1B2C3D" — must be a subnet id, e.g. subnet-0123456789abcdef0`,
        ],
      );
    });

    it("rejects a single private subnet", () => {
      assert.deepEqual(
        withExisting((e) => (e.privateSubnetIds = ["subnet-0a1b2c3d4e5f60001"])),
        [
          `cluster.network.existing.privateSubnetIds: ["subnet-0a1b2c3d4e5f60001"] — must list at least 2 private subnet ids (EKS needs subnets in two availability zones)`,
        ],
      );
    });

    it("rejects a repeated private subnet", () => {
      assert.deepEqual(
        withExisting((e) => (e.privateSubnetIds = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60001"])),
        [
          `cluster.network.existing.privateSubnetIds[1]: "subnet-0a1b2c3d4e5f60001" — must be unique (also privateSubnetIds[0])`,
        ],
      );
    });

    it("rejects a repeated public subnet", () => {
      assert.deepEqual(
        withExisting((e) => (e.publicSubnetIds = ["subnet-0a1b2c3d4e5f60101", "subnet-0a1b2c3d4e5f60101"])),
        [
          `cluster.network.existing.publicSubnetIds[1]: "subnet-0a1b2c3d4e5f60101" — must be unique (also publicSubnetIds[0])`,
        ],
      );
    });

    it("rejects a subnet listed as both private and public", () => {
      assert.deepEqual(
        withExisting((e) => (e.publicSubnetIds = ["subnet-0a1b2c3d4e5f60002"])),
        [
          `cluster.network.existing.publicSubnetIds[0]: "subnet-0a1b2c3d4e5f60002" — must not also be a private subnet (privateSubnetIds[1]): nodes need subnets without a route to an internet gateway`,
        ],
      );
    });

    it("rejects an unknown key next to the ids", () => {
      assert.deepEqual(
        withExisting((e) => (e.subnetIds = ["subnet-0a1b2c3d4e5f60001"])),
        [
          `cluster.network.existing.subnetIds: ["subnet-0a1b2c3d4e5f60001"] — is not a known key here (known: vpcId, privateSubnetIds, publicSubnetIds)`,
        ],
      );
    });

    it("rejects a network with keys of both shapes in one line", () => {
      assert.deepEqual(
        problems((c) => ((c.network as Record<string, unknown>).existing = existing)),
        [
          `cluster.network: ["vpcCidr","availabilityZones","natGateways","existing"] — must have the keys of either a new VPC { vpcCidr, availabilityZones, natGateways } or an existing one { existing: { vpcId, privateSubnetIds, publicSubnetIds } }, not both`,
        ],
      );
    });

    it("rejects a network with keys of neither shape in one line", () => {
      assert.deepEqual(
        problems((c) => (c.network = { vpcId: "vpc-0a1b2c3d4e5f60718" })),
        [
          `cluster.network: {"vpcId":"vpc-0a1b2c3d4e5f60718"} — must be a new VPC { vpcCidr, availabilityZones, natGateways } or an existing one { existing: { vpcId, privateSubnetIds, publicSubnetIds } }`,
        ],
      );
    });

    it("rejects a network that is not an object", () => {
      assert.deepEqual(
        problems((c) => (c.network = "vpc-0a1b2c3d4e5f60718")),
        [
          `cluster.network: "vpc-0a1b2c3d4e5f60718" — must be a new VPC { vpcCidr, availabilityZones, natGateways } or an existing one { existing: { vpcId, privateSubnetIds, publicSubnetIds } }`,
        ],
      );
    });
  });

  it("rejects an admin that is not an IAM role or user ARN", () => {
    assert.deepEqual(
      problems((c) => (c.admins = ["platform-admins"])),
      [
        `cluster.admins[0]: "platform-admins" — must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admin`,
      ],
    );
  });

  describe("CI access (cluster.access)", () => {
    const DEPLOY = "arn:aws:iam::123456789012:role/agentops-dev-deploy";
    const PREVIEW = "arn:aws:iam::123456789012:role/agentops-dev-preview";

    for (const stack of STACKS) {
      it(`Pulumi.${stack}.yaml gives CI placeholder-account roles and a self-hosted runner of its own`, () => {
        assert.deepEqual(eksConfig(stack).access, {
          deployRoleArn: `arn:aws:iam::000000000000:role/agentops-${stack}-deploy`,
          previewRoleArn: `arn:aws:iam::000000000000:role/agentops-${stack}-preview`,
          previewAccessPolicy: "view",
          runner: `agentops-${stack}`,
        });
        assert.equal(ciRunner(eksConfig(stack)), `agentops-${stack}`);
      });
    }

    it("rejects a role that is not an IAM role ARN", () => {
      assert.deepEqual(
        problems((c) => (c.access = { deployRoleArn: "agentops-deploy", runner: "agentops-dev" })),
        [
          `cluster.access.deployRoleArn: "agentops-deploy" — must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/agentops-dev-deploy`,
        ],
      );
    });

    it("rejects an IAM user as the preview role", () => {
      const user = "arn:aws:iam::123456789012:user/ci";
      assert.deepEqual(
        problems((c) => (c.access = { previewRoleArn: user, runner: "agentops-dev" })),
        [
          `cluster.access.previewRoleArn: "${user}" — must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/agentops-dev-preview`,
        ],
      );
    });

    it("rejects the deploy role as the preview role", () => {
      assert.deepEqual(
        problems(
          (c) => (c.access = { deployRoleArn: DEPLOY, previewRoleArn: DEPLOY, runner: "agentops-dev" }),
        ),
        [
          `cluster.access.previewRoleArn: "${DEPLOY}" — must not be the deploy role: a pull request's role must not hold the deploy role's access`,
        ],
      );
    });

    it("rejects a CI role that is also an admin: EKS takes one access entry per principal", () => {
      assert.deepEqual(
        problems((c) => {
          c.admins = [DEPLOY];
          c.access = { deployRoleArn: DEPLOY, runner: "agentops-dev" };
        }),
        [
          `cluster.access.deployRoleArn: "${DEPLOY}" — must not also be in admins (admins[0]): one access entry per principal`,
        ],
      );
    });

    it("rejects a GitHub-hosted runner for a private endpoint", () => {
      assert.deepEqual(
        problems((c) => (c.access = { deployRoleArn: DEPLOY, runner: "ubuntu-24.04" })),
        [
          `cluster.access.runner: "ubuntu-24.04" — must be a self-hosted runner inside the VPC while endpoint.publicAccessCidrs is empty: a GitHub-hosted runner cannot reach a private API endpoint`,
        ],
      );
    });

    it("requires a runner when CI roles are set and the endpoint is private", () => {
      assert.deepEqual(
        problems((c) => (c.access = { deployRoleArn: DEPLOY })),
        [
          `cluster.access.runner: (missing) — is required while endpoint.publicAccessCidrs is empty and CI roles are set: the label of a self-hosted runner inside the VPC (e.g. an actions-runner-controller scale set), or list the CI runners' CIDRs in endpoint.publicAccessCidrs`,
        ],
      );
    });

    it("rejects a preview access policy other than view or clusterAdmin", () => {
      assert.deepEqual(
        problems(
          (c) =>
            (c.access = { previewRoleArn: PREVIEW, previewAccessPolicy: "edit", runner: "agentops-dev" }),
        ),
        [`cluster.access.previewAccessPolicy: "edit" — must be one of view, clusterAdmin`],
      );
    });

    it("runs CI on GitHub-hosted ubuntu-latest when the endpoint is public to given CIDRs", () => {
      const raw = rawStackConfig(readStackConfig(ROOT, "dev").config);
      const c = raw.agentops.cluster as Record<string, unknown>;
      c.endpoint = { publicAccessCidrs: ["203.0.113.0/24"] };
      c.access = { deployRoleArn: DEPLOY, previewRoleArn: PREVIEW };
      assert.equal(ciRunner(parseStackConfig(raw).cluster), "ubuntu-latest");
    });

    it("runs CI of an existing cluster on ubuntu-latest", () => {
      assert.equal(ciRunner({ mode: "existing", context: "kind-agentops" }), "ubuntu-latest");
    });
  });

  it("rejects an unknown control plane log type", () => {
    assert.deepEqual(
      problems((c) => (c.extraLogTypes = ["kubelet"])),
      [`cluster.extraLogTypes[0]: "kubelet" — must be one of controllerManager, scheduler`],
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("pure cluster helpers", () => {
  it("splits a /16 into three /18 private and three /20 public subnets", () => {
    assert.deepEqual(planSubnets("10.10.0.0/16", ["a", "b", "c"]), [
      { zone: "a", privateCidr: "10.10.0.0/18", publicCidr: "10.10.192.0/20" },
      { zone: "b", privateCidr: "10.10.64.0/18", publicCidr: "10.10.208.0/20" },
      { zone: "c", privateCidr: "10.10.128.0/18", publicCidr: "10.10.224.0/20" },
    ]);
  });

  it("splits a /20 into /22 private and /24 public subnets", () => {
    assert.deepEqual(
      planSubnets("172.16.16.0/20", ["a", "b", "c"]).map((p) => [p.privateCidr, p.publicCidr]),
      [
        ["172.16.16.0/22", "172.16.28.0/24"],
        ["172.16.20.0/22", "172.16.29.0/24"],
        ["172.16.24.0/22", "172.16.30.0/24"],
      ],
    );
  });

  it("knows GPUs per node of NVIDIA types and nothing of others", () => {
    assert.deepEqual(["g6.xlarge", "g5.12xlarge", "p5.48xlarge", "m7i.xlarge", "g6"].map(gpusPerNode), [
      1,
      4,
      8,
      undefined,
      undefined,
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("EksCluster", () => {
  describe("node groups per environment", () => {
    const expected = {
      dev: {
        system: { minSize: 2, desiredSize: 2, maxSize: 4, disk: 50, types: ["m7i.large"] },
        spot: { minSize: 0, desiredSize: 2, maxSize: 6, disk: 50 },
        gpu: { minSize: 0, desiredSize: 0, maxSize: 3, disk: 100 },
      },
      staging: {
        system: { minSize: 2, desiredSize: 3, maxSize: 5, disk: 50, types: ["m7i.large"] },
        spot: { minSize: 0, desiredSize: 2, maxSize: 10, disk: 50 },
        gpu: { minSize: 0, desiredSize: 0, maxSize: 3, disk: 100 },
      },
      prod: {
        system: { minSize: 3, desiredSize: 5, maxSize: 8, disk: 80, types: ["m7i.xlarge"] },
        spot: { minSize: 1, desiredSize: 2, maxSize: 20, disk: 50 },
        gpu: { minSize: 0, desiredSize: 0, maxSize: 4, disk: 100 },
      },
    } as const;
    const spotTypes = ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge"];
    const gpuTypes = ["g6.xlarge", "g5.xlarge"];
    const zones = ["a", "b", "c"] as const;
    const privateSubnet = (z: string) => `${N}-private-us-east-1${z}-mock-id`;
    /** The zonal node groups of a group, in zone order. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are read freely
    const zonal = (rec: Recorded, group: string): any[] =>
      zones.map((z) => rec.inputs(T.nodeGroup, `${N}-${group}-${z}`));
    /** The zonal groups' sizes add up to the configured ones, each group within them. */
    const totals = (groups: { scalingConfig: Record<string, number> }[]) =>
      Object.fromEntries(
        ["minSize", "desiredSize", "maxSize"].map((k) => [
          k,
          groups.reduce((n, g) => n + g.scalingConfig[k]!, 0),
        ]),
      );

    for (const stack of STACKS) {
      const e = expected[stack];
      it(`${stack}: system is on-demand ${e.system.types.join(",")}, untainted, one group per zone sized ${e.system.minSize}/${e.system.desiredSize}/${e.system.maxSize} in all`, async () => {
        const groups = zonal(await synth(stack), "system");
        groups.forEach((ng, i) => {
          // A prefix: a change that forces a new node group brings the new one up before the old one goes.
          assert.equal(ng.nodeGroupNamePrefix, `agentops-${stack}-system-${zones[i]}-`);
          assert.equal(ng.nodeGroupName, undefined);
          assert.equal(ng.capacityType, "ON_DEMAND");
          assert.equal(ng.amiType, "AL2023_x86_64_STANDARD");
          assert.deepEqual(ng.instanceTypes, e.system.types);
          assert.deepEqual(ng.labels, { "agentops.io/node-group": "system" });
          assert.deepEqual(ng.taints, []);
          // One zone each: a claim's zone is a node group's zone.
          assert.deepEqual(ng.subnetIds, [privateSubnet(zones[i]!)]);
          const { minSize, desiredSize, maxSize } = ng.scalingConfig;
          assert.ok(minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1);
        });
        assert.deepEqual(totals(groups), {
          minSize: e.system.minSize,
          desiredSize: e.system.desiredSize,
          maxSize: e.system.maxSize,
        });
      });

      it(`${stack}: spot is SPOT over 4 types, labelled and tainted agentops.io/spot, sized ${e.spot.minSize}/${e.spot.desiredSize}/${e.spot.maxSize} over the zones`, async () => {
        const groups = zonal(await synth(stack), "spot");
        for (const ng of groups) {
          assert.equal(ng.capacityType, "SPOT");
          assert.equal(ng.amiType, "AL2023_x86_64_STANDARD");
          assert.deepEqual(ng.instanceTypes, spotTypes);
          assert.deepEqual(ng.labels, { "agentops.io/node-group": "spot" });
          assert.deepEqual(ng.taints, [{ key: "agentops.io/spot", value: "true", effect: "NO_SCHEDULE" }]);
        }
        assert.deepEqual(totals(groups), {
          minSize: e.spot.minSize,
          desiredSize: e.spot.desiredSize,
          maxSize: e.spot.maxSize,
        });
      });

      it(`${stack}: gpu runs the NVIDIA AMI on g6/g5, tainted nvidia.com/gpu, sized ${e.gpu.minSize}/${e.gpu.desiredSize}/${e.gpu.maxSize} over the zones`, async () => {
        const groups = zonal(await synth(stack), "gpu");
        for (const ng of groups) {
          assert.equal(ng.capacityType, "ON_DEMAND");
          assert.equal(ng.amiType, "AL2023_x86_64_NVIDIA");
          assert.deepEqual(ng.instanceTypes, gpuTypes);
          assert.deepEqual(ng.labels, { "agentops.io/node-group": "gpu", "nvidia.com/gpu.present": "true" });
          assert.deepEqual(ng.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
          assert.ok(ng.scalingConfig.maxSize >= 1);
        }
        assert.deepEqual(totals(groups), {
          minSize: e.gpu.minSize,
          desiredSize: e.gpu.desiredSize,
          maxSize: e.gpu.maxSize,
        });
      });

      it(`${stack}: launch templates require IMDSv2 with hop limit 1 and encrypt gp3 root volumes of the configured size`, async () => {
        const rec = await synth(stack);
        for (const group of ["system", "spot", "gpu"] as const) {
          const lt = rec.inputs(T.launchTemplate, `${N}-${group}-lt`);
          assert.deepEqual(lt.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
          });
          assert.deepEqual(lt.blockDeviceMappings, [
            {
              deviceName: "/dev/xvda",
              ebs: {
                volumeSize: e[group].disk,
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
              },
            },
          ]);
          // One template per group; every zonal group runs it.
          for (const ng of zonal(rec, group)) assert.equal(ng.launchTemplate.id, `${N}-${group}-lt-mock-id`);
        }
      });
    }

    it("splits a group's sizes over its zones as evenly as whole nodes allow, the first zones taking the rest", () => {
      assert.deepEqual(zonalScaling({ minSize: 2, desiredSize: 5, maxSize: 8 }, 3), [
        { minSize: 1, desiredSize: 2, maxSize: 3 },
        { minSize: 1, desiredSize: 2, maxSize: 3 },
        { minSize: 0, desiredSize: 1, maxSize: 2 },
      ]);
      assert.deepEqual(zonalScaling({ minSize: 0, desiredSize: 0, maxSize: 3 }, 3), [
        { minSize: 0, desiredSize: 0, maxSize: 1 },
        { minSize: 0, desiredSize: 0, maxSize: 1 },
        { minSize: 0, desiredSize: 0, maxSize: 1 },
      ]);
      assert.equal(zoneSuffix("us-east-1a", "us-east-1", 0), "a");
      assert.equal(zoneSuffix(undefined, "us-east-1", 1), "2");
    });

    it("node groups carry the autoscaler's discovery and scale-from-zero template tags", async () => {
      for (const ng of zonal(await synth("dev"), "gpu")) {
        assert.deepEqual(ng.tags, {
          Project: "agentops",
          Environment: "dev",
          ManagedBy: "pulumi",
          "k8s.io/cluster-autoscaler/enabled": "true",
          "k8s.io/cluster-autoscaler/agentops-dev": "owned",
          "k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType": "ON_DEMAND",
          "k8s.io/cluster-autoscaler/node-template/label/agentops.io/node-group": "gpu",
          "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present": "true",
          "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
          "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
        });
      }
    });

    it("the Auto Scaling groups get the node template tags (EKS does not copy node group tags there)", async () => {
      const tags = (await synth("dev"))
        .ofType(T.asgTag)
        .map((t) => `${t.name} ${JSON.stringify(t.inputs.tag)}`)
        .sort();
      const tag = (group: string, suffix: string, key: string, value: string) =>
        zones.map(
          (z) =>
            `${N}-${group}-${z}-asg-${suffix} ${JSON.stringify({ key: `k8s.io/cluster-autoscaler/node-template/${key}`, propagateAtLaunch: false, value })}`,
        );
      assert.deepEqual(
        tags,
        [
          tag("gpu", "label-agentops.io-node-group", "label/agentops.io/node-group", "gpu"),
          tag(
            "gpu",
            "label-eks.amazonaws.com-capacityType",
            "label/eks.amazonaws.com/capacityType",
            "ON_DEMAND",
          ),
          tag("gpu", "label-nvidia.com-gpu.present", "label/nvidia.com/gpu.present", "true"),
          tag("gpu", "resources-nvidia.com-gpu", "resources/nvidia.com/gpu", "1"),
          tag("gpu", "taint-nvidia.com-gpu", "taint/nvidia.com/gpu", "true:NoSchedule"),
          tag("spot", "label-agentops.io-node-group", "label/agentops.io/node-group", "spot"),
          tag("spot", "label-eks.amazonaws.com-capacityType", "label/eks.amazonaws.com/capacityType", "SPOT"),
          tag("spot", "taint-agentops.io-spot", "taint/agentops.io/spot", "true:NoSchedule"),
          tag("system", "label-agentops.io-node-group", "label/agentops.io/node-group", "system"),
          tag(
            "system",
            "label-eks.amazonaws.com-capacityType",
            "label/eks.amazonaws.com/capacityType",
            "ON_DEMAND",
          ),
        ]
          .flat()
          .sort(),
      );
    });

    it("the GPU template promises the fewest GPUs any listed type has", async () => {
      const { rec } = await synthCluster(
        "dev",
        (c) => (c.nodeGroups.gpu.instanceTypes = ["g6.12xlarge", "g5.48xlarge"]),
      );
      assert.equal(
        rec.inputs(T.nodeGroup, `${N}-gpu-a`).tags[
          "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"
        ],
        "4",
      );
    });
  });

  describe("issue 22, defect 7: a stack that is not its environment's own", () => {
    const ephemeral = async (stack: string | undefined) => {
      const cfg = stackConfig("dev");
      return record(
        () => {
          createCluster(N, {
            config: cfg.cluster,
            environment: cfg.environment,
            region: cfg.region,
            ...(stack !== undefined ? { stack } : {}),
          });
        },
        { "aws:region": REGION },
      );
    };

    it("names the cluster, its log group, Loki's bucket and node groups after the stack (it-1a2b3c4d from dev's file)", async () => {
      const rec = await ephemeral("it-1a2b3c4d");
      assert.equal(rec.inputs(T.cluster, `${N}-eks`).name, "agentops-it-1a2b3c4d");
      assert.equal(
        rec.inputs("aws:cloudwatch/logGroup:LogGroup", `${N}-control-plane-logs`).name,
        "/aws/eks/agentops-it-1a2b3c4d/cluster",
      );
      assert.equal(rec.inputs(T.bucket, `${N}-loki`).bucket, `agentops-it-1a2b3c4d-loki-${ACCOUNT}`);
      for (const ng of rec.ofType(T.nodeGroup)) {
        assert.match(
          ng.inputs.nodeGroupNamePrefix as string,
          /^agentops-it-1a2b3c4d-(system|spot|gpu)-[abc]-$/,
        );
        assert.ok(
          (ng.inputs.nodeGroupNamePrefix as string).length <= 37,
          "the provider appends 26 of EKS's 63",
        );
        assert.equal(
          (ng.inputs.tags as Record<string, string>)["k8s.io/cluster-autoscaler/agentops-it-1a2b3c4d"],
          "owned",
        );
      }
    });

    it("keeps the environment's own names for the stack named like the environment, and without a stack name", async () => {
      for (const stack of ["dev", undefined]) {
        const rec = await ephemeral(stack);
        assert.equal(rec.inputs(T.cluster, `${N}-eks`).name, "agentops-dev");
        assert.equal(rec.inputs(T.bucket, `${N}-loki`).bucket, `agentops-dev-loki-${ACCOUNT}`);
      }
    });

    it("force-destroys only a bucket the stack alone names: never dev's from another stack, never a protected one", async () => {
      const [own, other] = [await ephemeral("dev"), await ephemeral("it-1a2b3c4d")];
      const [a, b] = [own.inputs(T.bucket, `${N}-loki`), other.inputs(T.bucket, `${N}-loki`)];
      assert.notEqual(a.bucket, b.bucket);
      assert.equal(b.forceDestroy, true);
      const { rec: prod } = await synthCluster("prod");
      assert.equal(prod.inputs(T.bucket, `${N}-loki`).forceDestroy, false);
    });

    /** Every physical name in a synth: the inputs AWS names a resource by, and the tag keys that carry a name. */
    const physicalNames = (resources: { type: string; name: string; inputs: Record<string, unknown> }[]) =>
      resources
        .filter((r) => r.type.startsWith("aws:"))
        .flatMap((r) => [
          ...PHYSICAL_NAME_KEYS.map((k) => r.inputs[k]).filter((v): v is string => typeof v === "string"),
          ...Object.keys((r.inputs.tags as Record<string, string> | undefined) ?? {}),
        ]);

    it("the program passes the stack's name down: a synth of dev's file as it-1a2b3c4d names nothing of dev's", async function () {
      this.timeout(120_000);
      const synth = await synthesize({ root: ROOT, stack: "it-1a2b3c4d", configFrom: "dev" });
      const cluster = synth.resources.find((r) => r.type === T.cluster)!;
      assert.equal(cluster.inputs.name, "agentops-it-1a2b3c4d");
      assert.equal(synth.outputs.clusterName, "agentops-it-1a2b3c4d");
      // The class: the cluster's names, and the data stores' and volume backups' (RDS, ElastiCache, buckets,
      // log groups, the alarm topic and alarms, the backup vault and plan), none of them dev's own.
      const names = physicalNames(synth.resources);
      assert.ok(names.length > 40, names.join(", "));
      assert.deepEqual(
        names.filter((n) => n.includes("agentops-dev")),
        [],
      );
      const stem = storesNameStem("dev", "it-1a2b3c4d");
      assert.match(stem, /^agentops-[0-9a-f]{7}$/);
      const of = (type: string, name: string) =>
        synth.resources.find((r) => r.type === type && r.name === name)!;
      assert.equal(of("aws:rds/instance:Instance", "stores-audit-db").inputs.identifier, `${stem}-audit`);
      assert.equal(
        of("aws:elasticache/replicationGroup:ReplicationGroup", "stores-cache-cache").inputs
          .replicationGroupId,
        `${stem}-cache`,
      );
      assert.equal(
        of("aws:s3/bucket:Bucket", "stores-evidence-bucket").inputs.bucket,
        `${stem}-evidence-${ACCOUNT}`,
      );
      assert.equal(of("aws:s3/bucket:Bucket", "stores-evidence-bucket").inputs.forceDestroy, true);
      assert.equal(of("aws:sns/topic:Topic", "stores-alarms").inputs.name, `${stem}-stores-alarms`);
      assert.equal(of("aws:backup/vault:Vault", "backups-vault").inputs.name, `${stem}-volumes`);
      assert.equal(of("aws:backup/plan:Plan", "backups-plan").inputs.name, `${stem}-agent-volumes`);
    });

    it("dev's own stack keeps every name it had: agentops-dev-audit, agentops-dev-volumes", async function () {
      this.timeout(120_000);
      const synth = await synthesize({ root: ROOT, stack: "dev" });
      const names = physicalNames(synth.resources);
      for (const name of [
        "agentops-dev",
        "agentops-dev-audit",
        "agentops-dev-cache",
        "agentops-dev-volumes",
      ]) {
        assert.ok(names.includes(name), `${name} in ${names.join(", ")}`);
      }
    });

    it("the stores' stem fits the longest store name's budget (16, agentops-staging) for every stack name", () => {
      for (const [env, stack, stem] of [
        ["dev", undefined, "agentops-dev"],
        ["staging", "staging", "agentops-staging"],
        ["prod", "prod", "agentops-prod"],
        ["dev", "pr-42", "agentops-pr-42"],
        ["dev", "feature", "agentops-feature"],
      ] as const) {
        assert.equal(storesNameStem(env, stack), stem);
      }
      for (const stack of ["it-1a2b3c4d", "feature-xy", "My Stack", "staging", "a".repeat(60)]) {
        const stem = storesNameStem("dev", stack);
        assert.ok(stem.length <= MAX_STORES_STEM && stem !== "agentops-dev", `${stack}: ${stem}`);
        assert.notEqual(stem, storesNameStem("dev", `${stack}2`));
      }
      assert.equal(MAX_STORES_STEM, "agentops-staging".length);
    });
  });

  describe("control plane", () => {
    it("pins Kubernetes 1.35 on the private subnets, standard support only, no self-managed add-ons", async () => {
      const c = (await synth("dev")).inputs(T.cluster, `${N}-eks`);
      assert.equal(c.name, "agentops-dev");
      assert.equal(c.version, "1.35");
      assert.deepEqual(c.upgradePolicy, { supportType: "STANDARD" });
      assert.equal(c.bootstrapSelfManagedAddons, false);
      assert.deepEqual(
        c.vpcConfig.subnetIds,
        ["a", "b", "c"].map((z) => `${N}-private-us-east-1${z}-mock-id`),
      );
    });

    it("envelope-encrypts secrets with its own rotating KMS key", async () => {
      const rec = await synth("dev");
      assert.deepEqual(rec.inputs(T.cluster, `${N}-eks`).encryptionConfig, {
        resources: ["secrets"],
        provider: { keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/mock-${N}-secrets-key` },
      });
      assert.equal(rec.inputs(T.key, `${N}-secrets-key`).enableKeyRotation, true);
    });

    it("turns every KMS key's rotation on", async () => {
      const keys = (await synth("dev")).ofType(T.key);
      assert.deepEqual(
        keys.map((k) => [k.name, k.inputs.enableKeyRotation]),
        [
          [`${N}-secrets-key`, true],
          [`${N}-ebs-key`, true],
          [`${N}-vault-key`, true],
        ],
      );
    });

    it("logs api, audit and authenticator by default", async () => {
      const c = (await synth("dev")).inputs(T.cluster, `${N}-eks`);
      assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
    });

    it("adds the configured extra log types", async () => {
      const { rec } = await synthCluster(
        "dev",
        (c) => (c.extraLogTypes = ["scheduler", "controllerManager"]),
      );
      assert.deepEqual(rec.inputs(T.cluster, `${N}-eks`).enabledClusterLogTypes, [
        "api",
        "audit",
        "authenticator",
        "scheduler",
        "controllerManager",
      ]);
    });

    it("keeps the API endpoint private when no public CIDRs are configured", async () => {
      const c = (await synth("prod")).inputs(T.cluster, `${N}-eks`);
      assert.equal(c.vpcConfig.endpointPrivateAccess, true);
      assert.equal(c.vpcConfig.endpointPublicAccess, false);
      assert.equal(c.vpcConfig.publicAccessCidrs, undefined);
    });

    it("opens the public endpoint to exactly the configured CIDRs", async () => {
      const { rec } = await synthCluster("dev", (c) => (c.endpoint.publicAccessCidrs = ["203.0.113.0/24"]));
      const vpc = rec.inputs(T.cluster, `${N}-eks`).vpcConfig;
      assert.equal(vpc.endpointPrivateAccess, true);
      assert.equal(vpc.endpointPublicAccess, true);
      assert.deepEqual(vpc.publicAccessCidrs, ["203.0.113.0/24"]);
    });

    it("authenticates with access entries only, and makes each admin a cluster admin", async () => {
      const admin = "arn:aws:iam::123456789012:role/platform-admin";
      const { rec } = await synthCluster("dev", (c) => (c.admins = [admin]));
      assert.equal(rec.inputs(T.cluster, `${N}-eks`).accessConfig.authenticationMode, "API");
      assert.deepEqual(rec.inputs("aws:eks/accessEntry:AccessEntry", `${N}-admin-0`), {
        clusterName: "agentops-dev",
        principalArn: admin,
        type: "STANDARD",
        tags: { Project: "agentops", Environment: "dev", ManagedBy: "pulumi" },
      });
      assert.deepEqual(
        rec.inputs("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${N}-admin-0-cluster-admin`),
        {
          clusterName: "agentops-dev",
          principalArn: admin,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
      );
    });

    it("creates no admin access entry when no admins are configured", async () => {
      const names = (await synth("dev")).ofType("aws:eks/accessEntry:AccessEntry").map((r) => r.name);
      assert.deepEqual(names, [`${N}-ci-deploy`, `${N}-ci-preview`]);
    });

    it("gives the CI deploy role cluster admin and the preview role read-only view, both cluster-wide", async () => {
      const rec = await synth("dev");
      const deploy = "arn:aws:iam::000000000000:role/agentops-dev-deploy";
      const preview = "arn:aws:iam::000000000000:role/agentops-dev-preview";
      const tags = { Project: "agentops", Environment: "dev", ManagedBy: "pulumi" };
      assert.deepEqual(rec.inputs("aws:eks/accessEntry:AccessEntry", `${N}-ci-deploy`), {
        clusterName: "agentops-dev",
        principalArn: deploy,
        type: "STANDARD",
        tags,
      });
      assert.deepEqual(rec.inputs("aws:eks/accessEntry:AccessEntry", `${N}-ci-preview`), {
        clusterName: "agentops-dev",
        principalArn: preview,
        type: "STANDARD",
        tags,
      });
      const associations = rec
        .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
        .map((r) => [r.name, r.inputs.principalArn, r.inputs.policyArn, r.inputs.accessScope]);
      assert.deepEqual(associations, [
        [
          `${N}-ci-deploy-cluster-admin`,
          deploy,
          "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          { type: "cluster" },
        ],
        [
          `${N}-ci-preview-view`,
          preview,
          "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
          { type: "cluster" },
        ],
      ]);
    });

    it("gives the preview role cluster admin only when previewAccessPolicy is clusterAdmin", async () => {
      const { rec } = await synthCluster("dev", (c) => (c.access.previewAccessPolicy = "clusterAdmin"));
      assert.equal(
        rec.inputs("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${N}-ci-preview-cluster-admin`)
          .policyArn,
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      );
    });

    it("creates no CI access entry when no CI roles are configured", async () => {
      const { rec } = await synthCluster("dev", (c) => (c.access = { previewAccessPolicy: "view" }));
      assert.deepEqual(rec.ofType("aws:eks/accessEntry:AccessEntry"), []);
    });

    it("the cluster role has AmazonEKSClusterPolicy and use of the secrets key only", async () => {
      const rec = await synth("dev");
      assert.deepEqual(attachedPolicies(rec, "cluster"), ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
      assert.deepEqual(parsePolicy(rec, `${N}-cluster-policy`).Statement, [
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/mock-${N}-secrets-key`,
        },
      ]);
    });
  });

  describe("add-ons", () => {
    it("installs the five EKS add-ons at their pinned 1.35 builds", async () => {
      const addons = (await synth("dev"))
        .ofType(T.addon)
        .map((a) => [a.inputs.addonName, a.inputs.addonVersion]);
      assert.deepEqual(addons.sort(), [
        ["aws-ebs-csi-driver", "v1.60.0-eksbuild.1"],
        ["coredns", "v1.13.2-eksbuild.4"],
        ["eks-pod-identity-agent", "v1.3.10-eksbuild.2"],
        ["kube-proxy", "v1.35.3-eksbuild.2"],
        ["vpc-cni", "v1.21.1-eksbuild.7"],
      ]);
    });

    it("the VPC CNI gets its permissions through Pod Identity and enforces NetworkPolicies", async () => {
      const rec = await synth("dev");
      const cni = rec.inputs(T.addon, `${N}-addon-vpc-cni`);
      assert.deepEqual(cni.podIdentityAssociations, [
        { roleArn: `arn:aws:iam::${ACCOUNT}:role/${N}-vpc-cni-role`, serviceAccount: "aws-node" },
      ]);
      assert.deepEqual(JSON.parse(cni.configurationValues), { enableNetworkPolicy: "true" });
      assert.deepEqual(attachedPolicies(rec, "vpc-cni"), ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
    });
  });

  describe("IAM", () => {
    it("node roles have only the worker node and ECR pull policies (the CNI policy is not on nodes)", async () => {
      const rec = await synth("dev");
      for (const group of ["system", "spot", "gpu"]) {
        assert.deepEqual(attachedPolicies(rec, `node-${group}`), [
          "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
          "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        ]);
        assert.deepEqual(JSON.parse(rec.inputs(T.role, `${N}-node-${group}-role`).assumeRolePolicy), {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        });
        assert.equal(
          rec.ofType(T.rolePolicy).some((p) => p.name === `${N}-node-${group}-policy`),
          false,
        );
      }
    });

    const identities = [
      ["ebs-csi", "kube-system", "ebs-csi-controller-sa"],
      ["cluster-autoscaler", "kube-system", "cluster-autoscaler"],
      ["loki", "monitoring", "loki"],
      ["vault", "vault", "vault"],
      ["external-secrets", "external-secrets", "external-secrets"],
    ] as const;

    it("associates each workload identity's service account with its own role", async () => {
      const rec = await synth("dev");
      assert.deepEqual(
        rec
          .ofType(T.podIdentity)
          .map((p) => [p.name, p.inputs.namespace, p.inputs.serviceAccount, p.inputs.roleArn])
          .sort(),
        identities
          .map(([id, ns, sa]) => [
            `${N}-${id}-pod-identity`,
            ns,
            sa,
            `arn:aws:iam::${ACCOUNT}:role/${N}-${id}-role`,
          ])
          .sort(),
      );
    });

    it("each Pod Identity role trusts only its cluster, namespace and service account in this account", async () => {
      const rec = await synth("dev");
      for (const [id, ns, sa] of identities) {
        assert.deepEqual(JSON.parse(rec.inputs(T.role, `${N}-${id}-role`).assumeRolePolicy).Statement, [
          {
            Sid: "AllowEksAuthToAssumeRoleForPodIdentity",
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
              StringEquals: {
                "aws:SourceAccount": ACCOUNT,
                "aws:RequestTag/eks-cluster-name": "agentops-dev",
                "aws:RequestTag/kubernetes-namespace": ns,
                "aws:RequestTag/kubernetes-service-account": sa,
              },
            },
          },
        ]);
      }
    });

    it("EBS CSI: AmazonEBSCSIDriverPolicy plus use of the volume key, grants only for AWS resources", async () => {
      const rec = await synth("dev");
      const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/mock-${N}-ebs-key`;
      assert.deepEqual(attachedPolicies(rec, "ebs-csi"), [
        "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy",
      ]);
      assert.deepEqual(parsePolicy(rec, `${N}-ebs-csi-policy`).Statement, [
        {
          Sid: "VolumeKeyGrants",
          Effect: "Allow",
          Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
          Resource: key,
          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        {
          Sid: "VolumeKeyUse",
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
          Resource: key,
        },
      ]);
    });

    it("cluster autoscaler: describes freely, scales only groups tagged as this cluster's", async () => {
      const rec = await synth("dev");
      assert.deepEqual(attachedPolicies(rec, "cluster-autoscaler"), []);
      assert.deepEqual(parsePolicy(rec, `${N}-cluster-autoscaler-policy`).Statement, [
        {
          Sid: "ScaleOwnGroups",
          Effect: "Allow",
          Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/agentops-dev": "owned" } },
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
          Resource: `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/agentops-dev/*`,
        },
      ]);
    });

    it("Loki: list, read, write and delete in its own bucket only", async () => {
      const rec = await synth("dev");
      const bucket = `arn:aws:s3:::agentops-dev-loki-${ACCOUNT}`;
      assert.deepEqual(parsePolicy(rec, `${N}-loki-policy`).Statement, [
        { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
        {
          Sid: "ReadWriteObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: `${bucket}/*`,
        },
      ]);
    });

    it("Vault: Encrypt, Decrypt and DescribeKey on its unseal key only", async () => {
      const rec = await synth("dev");
      assert.deepEqual(parsePolicy(rec, `${N}-vault-policy`).Statement, [
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
          Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/mock-${N}-vault-key`,
        },
      ]);
    });

    for (const stack of STACKS) {
      it(`External Secrets (${stack}): reads only secrets under agentops/${stack}/`, async () => {
        const rec = await synth(stack);
        assert.deepEqual(parsePolicy(rec, `${N}-external-secrets-policy`).Statement, [
          {
            Effect: "Allow",
            Action: [
              "secretsmanager:GetSecretValue",
              "secretsmanager:DescribeSecret",
              "secretsmanager:ListSecretVersionIds",
            ],
            Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:agentops/${stack}/*`,
          },
        ]);
      });
    }
  });

  describe("network", () => {
    it("private subnets carry the internal-ELB and cluster tags and assign no public IPs", async () => {
      const s = (await synth("dev")).inputs(T.subnet, `${N}-private-us-east-1b`);
      assert.equal(s.cidrBlock, "10.10.64.0/18");
      assert.equal(s.availabilityZone, "us-east-1b");
      assert.equal(s.mapPublicIpOnLaunch, false);
      assert.equal(s.tags["kubernetes.io/role/internal-elb"], "1");
      assert.equal(s.tags["kubernetes.io/cluster/agentops-dev"], "shared");
    });

    it("public subnets carry the ELB and cluster tags", async () => {
      const s = (await synth("dev")).inputs(T.subnet, `${N}-public-us-east-1c`);
      assert.equal(s.cidrBlock, "10.10.224.0/20");
      assert.equal(s.tags["kubernetes.io/role/elb"], "1");
      assert.equal(s.tags["kubernetes.io/cluster/agentops-dev"], "shared");
    });

    it("dev (natGateways: single) routes every private subnet through one NAT gateway", async () => {
      const rec = await synth("dev");
      assert.deepEqual(
        rec.ofType(T.nat).map((n) => n.name),
        [`${N}-nat-us-east-1a`],
      );
      assert.deepEqual(
        ["a", "b", "c"].map((z) => rec.inputs(T.route, `${N}-private-default-us-east-1${z}`).natGatewayId),
        ["a", "a", "a"].map((z) => `${N}-nat-us-east-1${z}-mock-id`),
      );
    });

    for (const stack of ["staging", "prod"]) {
      it(`${stack} (natGateways: perZone) routes each private subnet through its zone's NAT gateway`, async () => {
        const rec = await synth(stack);
        assert.deepEqual(
          ["a", "b", "c"].map((z) => rec.inputs(T.route, `${N}-private-default-us-east-1${z}`).natGatewayId),
          ["a", "b", "c"].map((z) => `${N}-nat-us-east-1${z}-mock-id`),
        );
      });
    }

    it("public subnets route to the internet gateway", async () => {
      const route = (await synth("dev")).inputs(T.route, `${N}-public-default`);
      assert.deepEqual(route, {
        routeTableId: `${N}-public-rt-mock-id`,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: `${N}-igw-mock-id`,
      });
    });

    it("has an S3 gateway endpoint on the private route tables", async () => {
      const e = (await synth("dev")).inputs("aws:ec2/vpcEndpoint:VpcEndpoint", `${N}-s3-endpoint`);
      assert.equal(e.serviceName, "com.amazonaws.us-east-1.s3");
      assert.equal(e.vpcEndpointType, "Gateway");
      assert.deepEqual(
        e.routeTableIds,
        ["a", "b", "c"].map((z) => `${N}-private-rt-us-east-1${z}-mock-id`),
      );
    });
  });

  describe("existing VPC", () => {
    const existing = {
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
      publicSubnetIds: ["subnet-0a1b2c3d4e5f60101"],
    };
    let run: ReturnType<typeof synthCluster> | undefined;
    const synthExisting = () => (run ??= synthCluster("dev", (c) => (c.network = { existing })));

    it("declares no VPC, subnet, gateway, route table, route or endpoint", async () => {
      const { rec } = await synthExisting();
      const network = [
        "aws:ec2/vpc:Vpc",
        T.subnet,
        T.nat,
        "aws:ec2/eip:Eip",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/routeTable:RouteTable",
        T.route,
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
      ];
      assert.deepEqual(
        rec.resources.filter((r) => network.includes(r.type)).map((r) => `${r.type}::${r.name}`),
        [],
      );
    });

    it("declares only the node groups' launch templates of aws:ec2", async () => {
      const { rec } = await synthExisting();
      assert.deepEqual(
        rec.resources.filter((r) => r.type.startsWith("aws:ec2/")).map((r) => `${r.type}::${r.name}`),
        ["system", "spot", "gpu"].map((g) => `${T.launchTemplate}::${N}-${g}-lt`),
      );
    });

    it("puts one node group of each group in each given private subnet, named by its position", async () => {
      const { rec } = await synthExisting();
      for (const g of ["system", "spot", "gpu"]) {
        assert.deepEqual(
          [1, 2, 3].map((i) => rec.inputs(T.nodeGroup, `${N}-${g}-${i}`).subnetIds),
          existing.privateSubnetIds.map((id) => [id]),
        );
        assert.equal(rec.inputs(T.nodeGroup, `${N}-${g}-2`).nodeGroupNamePrefix, `agentops-dev-${g}-2-`);
      }
    });

    it("gives the control plane exactly the given private subnets", async () => {
      const { rec } = await synthExisting();
      assert.deepEqual(rec.inputs(T.cluster, `${N}-eks`).vpcConfig.subnetIds, existing.privateSubnetIds);
    });

    it("outputs the given VPC id", async () => {
      const { handle } = await synthExisting();
      assert.equal(await resolve(handle.outputs!.vpcId), existing.vpcId);
    });
  });

  describe("Loki's bucket", () => {
    it("is named after the cluster and account, and blocks all public access", async () => {
      const rec = await synth("dev");
      assert.equal(rec.inputs(T.bucket, `${N}-loki`).bucket, `agentops-dev-loki-${ACCOUNT}`);
      assert.deepEqual(
        rec.inputs("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${N}-loki-public-access`),
        {
          bucket: `${N}-loki-mock-id`,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
      );
    });

    it("is encrypted, versioned and expires objects", async () => {
      const rec = await synth("dev");
      assert.deepEqual(
        rec.inputs(
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          `${N}-loki-encryption`,
        ).rules,
        [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      );
      assert.deepEqual(
        rec.inputs("aws:s3/bucketVersioning:BucketVersioning", `${N}-loki-versioning`)
          .versioningConfiguration,
        { status: "Enabled" },
      );
      assert.deepEqual(
        rec.inputs("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${N}-loki-lifecycle`)
          .rules,
        [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: 90 },
            noncurrentVersionExpiration: { noncurrentDays: 7 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      );
    });

    it("refuses requests without TLS", async () => {
      const policy = JSON.parse(
        (await synth("dev")).inputs("aws:s3/bucketPolicy:BucketPolicy", `${N}-loki-tls-only`).policy,
      );
      const bucket = `arn:aws:s3:::agentops-dev-loki-${ACCOUNT}`;
      assert.deepEqual(policy.Statement, [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket, `${bucket}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });
  });

  describe("protection", () => {
    const holdsData = [
      `${T.cluster}::${N}-eks`,
      `${T.key}::${N}-secrets-key`,
      `${T.key}::${N}-ebs-key`,
      `${T.key}::${N}-vault-key`,
      `${T.bucket}::${N}-loki`,
    ].sort();
    const protectedResources = (rec: Recorded) =>
      rec.resources
        .filter((r) => r.protect)
        .map((r) => `${r.type}::${r.name}`)
        .sort();

    it("prod (protect: true) protects the cluster, the KMS keys and Loki's bucket, and nothing else", async () => {
      const rec = await synth("prod");
      assert.deepEqual(protectedResources(rec), holdsData);
      assert.equal(rec.inputs(T.cluster, `${N}-eks`).deletionProtection, true);
      assert.equal(rec.inputs(T.bucket, `${N}-loki`).forceDestroy, false);
    });

    for (const stack of ["dev", "staging"]) {
      it(`${stack} (protect: false) protects nothing and lets the log bucket be destroyed`, async () => {
        const rec = await synth(stack);
        assert.deepEqual(protectedResources(rec), []);
        assert.equal(rec.inputs(T.cluster, `${N}-eks`).deletionProtection, false);
        assert.equal(rec.inputs(T.bucket, `${N}-loki`).forceDestroy, true);
      });
    }
  });

  describe("Kubernetes side", () => {
    it("declares a default, encrypted gp3 StorageClass bound at first consumer", async () => {
      const sc = (await synth("dev")).manifest("StorageClass", "gp3");
      assert.deepEqual(sc, {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: {
          type: "gp3",
          encrypted: "true",
          kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/mock-${N}-ebs-key`,
        },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
      });
    });

    it("keeps volumes of a protected cluster after their claims go (reclaimPolicy Retain)", async () => {
      assert.equal((await synth("prod")).manifest("StorageClass", "gp3").reclaimPolicy, "Retain");
    });

    it("a change the API refuses on the StorageClass replaces it (harmless) instead of failing the update", async () => {
      const sc = (await synth("dev")).get(T.storageClass, `${N}-gp3`);
      assert.deepEqual(sc.replaceOnChanges, ["reclaimPolicy", "volumeBindingMode"]);
    });

    it("the provider updates ConfigMaps and Secrets in place instead of replacing them", async () => {
      const inputs = (await synth("dev")).inputs(T.k8sProvider, `${N}-k8s`);
      assert.deepEqual([inputs.enableConfigMapMutable, inputs.enableSecretMutable], ["true", "true"]);
    });

    it("the StorageClass is declared through the cluster's own provider", async () => {
      const rec = await synth("dev");
      const provider = rec.get(T.k8sProvider, `${N}-k8s`);
      assert.equal(rec.get(T.storageClass, `${N}-gp3`).parent, rec.get("agentops:cluster:EksCluster", N).urn);
      assert.ok(provider.urn.endsWith(`::${N}-k8s`));
    });

    it("the kubeconfig is a secret whose user runs aws eks get-token for the cluster and region", async () => {
      const { handle } = await synthCluster("dev");
      assert.equal(await resolve(handle.outputs!.kubeconfig), "[secret]");
      const text = await new Promise<string>((ok) => handle.outputs!.kubeconfig.apply(ok));
      const kubeconfig = JSON.parse(text);
      assert.equal(kubeconfig.clusters[0].cluster.server, "https://agentops-eks.eks.mock.invalid");
      assert.deepEqual(kubeconfig.users[0].user.exec, {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", "agentops-dev", "--region", REGION, "--output", "json"],
        interactiveMode: "Never",
      });
    });
  });

  describe("handle", () => {
    it("reports every capability", async () => {
      const { handle } = await synthCluster("dev");
      assert.deepEqual(handle.capabilities, { spotNodeGroup: true, gpuNodeGroup: true, podIdentity: true });
    });

    it("exposes the cloud side for the platform", async () => {
      const { handle } = await synthCluster("dev");
      const cloud = handle.cloud!;
      assert.equal(cloud.region, REGION);
      assert.deepEqual(
        await Promise.all(
          [cloud.clusterName, cloud.lokiBucket, cloud.vaultKmsKeyId, cloud.accountId].map(resolve),
        ),
        ["agentops-dev", `agentops-dev-loki-${ACCOUNT}`, `mock-${N}-vault-key`, ACCOUNT],
      );
    });

    it("exposes the stack outputs", async () => {
      const { handle } = await synthCluster("dev");
      const o = handle.outputs!;
      assert.deepEqual(
        await Promise.all(
          [o.clusterName, o.endpoint, o.oidcIssuer, o.nodeGroupNames, o.vpcId].map((x) =>
            resolve(x as pulumi.Output<unknown>),
          ),
        ),
        [
          "agentops-dev",
          "https://agentops-eks.eks.mock.invalid",
          `https://oidc.eks.${REGION}.mock.invalid/id/MOCKAGENTOPS-EKS`,
          ["system", "spot", "gpu"].flatMap((g) => ["a", "b", "c"].map((z) => `agentops-dev-${g}-${z}-mock`)),
          `${N}-vpc-mock-id`,
        ],
      );
    });
  });

  it("resource counts per environment", async () => {
    const counts = async (stack: string) => {
      const rec = await synth(stack);
      const byType: Record<string, number> = {};
      for (const r of rec.resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
      return { total: rec.resources.length, nat: byType[T.nat], eip: byType["aws:ec2/eip:Eip"] };
    };
    // Each stack: two CI roles, each an access entry and an access policy association.
    assert.deepEqual(await Promise.all(STACKS.map(counts)), [
      // Node groups: one per zone, each with its Auto Scaling group's template tags (26 resources more).
      { total: 120, nat: 1, eip: 1 },
      { total: 124, nat: 3, eip: 3 },
      { total: 124, nat: 3, eip: 3 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("existing-cluster mode", () => {
  const run = async (kubeconfig?: string) => {
    let handle: ClusterHandle | undefined;
    const rec = await record(() => {
      handle = createCluster(N, {
        config: { mode: "existing", context: "kind-agentops", ...(kubeconfig ? { kubeconfig } : {}) },
        environment: "dev",
      });
    });
    return { rec, handle: handle! };
  };

  it("registers no AWS resource and no StorageClass", async () => {
    const { rec } = await run();
    assert.deepEqual(
      rec.resources.map((r) => `${r.type}::${r.name}`),
      [`agentops:cluster:ExistingCluster::${N}`, `${T.k8sProvider}::${N}-k8s`],
    );
  });

  it("points the provider at the configured context", async () => {
    const { rec } = await run();
    assert.deepEqual(rec.inputs(T.k8sProvider, `${N}-k8s`), {
      context: "kind-agentops",
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
  });

  it("passes the configured kubeconfig file to the provider", async () => {
    const { rec } = await run("/home/dev/.kube/kind.yaml");
    assert.deepEqual(rec.inputs(T.k8sProvider, `${N}-k8s`), {
      context: "kind-agentops",
      kubeconfig: "/home/dev/.kube/kind.yaml",
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
  });

  it("reports no spot, GPU or Pod Identity, and no cloud side or outputs", async () => {
    const { handle } = await run();
    assert.deepEqual(handle.capabilities, { spotNodeGroup: false, gpuNodeGroup: false, podIdentity: false });
    assert.deepEqual(handle.capabilities, EXISTING_CLUSTER_CAPABILITIES);
    assert.equal(handle.cloud, undefined);
    assert.equal(handle.outputs, undefined);
  });
});
