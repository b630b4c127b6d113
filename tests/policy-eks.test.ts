import { strict as assert } from "node:assert";
import {
  checkControlPlaneLogging,
  checkEndpointAccess,
  checkImdsV2,
  checkNodeSubnets,
  checkSecretsEncryption,
  eksSecretsEncryption,
} from "../policy/eks";
import { aws } from "./fixtures/policy";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const KEY = "arn:aws:kms:us-east-1:000000000000:key/mock";

function cluster(): any {
  return {
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["a", "b"] },
  };
}

const logging = { requiredLogTypes: ["api", "audit", "authenticator"] };

describe("policy eks-secrets-encryption", () => {
  it("passes secrets encrypted with a KMS key", () =>
    assert.deepEqual(checkSecretsEncryption(cluster()), []));

  it("flags a cluster without encryptionConfig", () => {
    const c = cluster();
    delete c.encryptionConfig;
    assert.deepEqual(checkSecretsEncryption(c), [
      "encryptionConfig: (missing) — must encrypt secrets with a KMS key: { resources: [secrets], provider: { keyArn } }",
    ]);
  });

  it("flags encryption that leaves secrets out", () => {
    const c = cluster();
    c.encryptionConfig.resources = [];
    assert.deepEqual(checkSecretsEncryption(c), ["encryptionConfig.resources: [] — must include secrets"]);
  });

  it("flags a missing key ARN", () => {
    const c = cluster();
    c.encryptionConfig.provider = {};
    assert.deepEqual(checkSecretsEncryption(c), [
      "encryptionConfig.provider.keyArn: (missing) — must be a KMS key ARN",
    ]);
  });

  it("checks only EKS clusters", () => {
    assert.deepEqual(
      eksSecretsEncryption.check({ type: "aws:s3/bucket:Bucket", name: "b", props: {} }, {}),
      [],
    );
  });
});

describe("policy eks-control-plane-logging", () => {
  it("passes api, audit and authenticator", () =>
    assert.deepEqual(checkControlPlaneLogging(cluster(), logging), []));

  it("flags a missing audit log", () => {
    const c = cluster();
    c.enabledClusterLogTypes = ["api", "authenticator"];
    assert.deepEqual(checkControlPlaneLogging(c, logging), [
      'enabledClusterLogTypes: ["api","authenticator"] — must include api, audit, authenticator (missing: audit)',
    ]);
  });
});

describe("policy eks-endpoint-access", () => {
  it("passes a private endpoint", () => assert.deepEqual(checkEndpointAccess(cluster()), []));

  it("passes a public endpoint limited to listed networks", () => {
    const c = cluster();
    c.vpcConfig.endpointPublicAccess = true;
    c.vpcConfig.publicAccessCidrs = ["203.0.113.0/24"];
    assert.deepEqual(checkEndpointAccess(c), []);
  });

  it("flags the provider default: public, open to everyone", () => {
    const c = cluster();
    delete c.vpcConfig.endpointPublicAccess;
    assert.deepEqual(checkEndpointAccess(c), [
      "vpcConfig.endpointPublicAccess: (missing) — must be false, or publicAccessCidrs must list the networks allowed (the default is 0.0.0.0/0)",
    ]);
  });

  it("flags 0.0.0.0/0", () => {
    const c = cluster();
    c.vpcConfig.endpointPublicAccess = true;
    c.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"];
    assert.deepEqual(checkEndpointAccess(c), [
      'vpcConfig.publicAccessCidrs: ["0.0.0.0/0"] — must not include 0.0.0.0/0',
    ]);
  });
});

describe("policy launch-template-imdsv2", () => {
  it("passes required tokens", () => {
    assert.deepEqual(
      checkImdsV2({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }),
      [],
    );
  });

  it("flags optional tokens", () => {
    assert.deepEqual(checkImdsV2({ metadataOptions: { httpTokens: "optional" } }), [
      'metadataOptions.httpTokens: "optional" — must be "required" (IMDSv2 only)',
    ]);
  });
});

describe("policy eks-nodes-private-subnets", () => {
  /** A VPC with a private subnet (NAT route) and a public one (IGW route); the node group in the private one. */
  function network() {
    return [
      aws("aws:ec2/internetGateway:InternetGateway", "gateway", {}),
      aws("aws:ec2/natGateway:NatGateway", "nat", {}),
      aws("aws:ec2/subnet:Subnet", "private-a", { mapPublicIpOnLaunch: false }),
      aws("aws:ec2/subnet:Subnet", "public-a", { mapPublicIpOnLaunch: true }),
      aws("aws:ec2/routeTable:RouteTable", "private-rt", {
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-mock-id" }],
      }),
      aws("aws:ec2/routeTable:RouteTable", "public-rt", {}),
      aws("aws:ec2/route:Route", "public-default", {
        routeTableId: "public-rt-mock-id",
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: "gateway-mock-id",
      }),
      aws("aws:ec2/routeTableAssociation:RouteTableAssociation", "private-a", {
        subnetId: "private-a-mock-id",
        routeTableId: "private-rt-mock-id",
      }),
      aws("aws:ec2/routeTableAssociation:RouteTableAssociation", "public-a", {
        subnetId: "public-a-mock-id",
        routeTableId: "public-rt-mock-id",
      }),
    ];
  }
  const nodeGroup = (subnetIds: string[]) => aws("aws:eks/nodeGroup:NodeGroup", "system", { subnetIds });
  const config = { allowUndeclaredSubnets: false };

  it("passes a node group in a private subnet", () => {
    assert.deepEqual(checkNodeSubnets([...network(), nodeGroup(["private-a-mock-id"])], config), []);
  });

  it("flags a subnet that routes to the internet gateway", () => {
    const resources = network();
    resources.find((r) => r.name === "public-a")!.props.mapPublicIpOnLaunch = false;
    assert.deepEqual(
      checkNodeSubnets([...resources, nodeGroup(["public-a-mock-id"])], config).map((f) => f.message),
      [
        'subnetIds: subnet "public-a" routes to an internet gateway (route table "public-rt") — node groups must use private subnets',
      ],
    );
  });

  it("flags a subnet that maps public IPs on launch", () => {
    const resources = network();
    resources.find((r) => r.name === "private-a")!.props.mapPublicIpOnLaunch = true;
    assert.deepEqual(checkNodeSubnets([...resources, nodeGroup(["private-a-mock-id"])], config), [
      {
        urn: "urn:pulumi:test::agentops::aws:eks/nodeGroup:NodeGroup::system",
        message:
          'subnetIds: subnet "private-a" has mapPublicIpOnLaunch true — node groups must use private subnets',
      },
    ]);
  });

  it("flags an inline route to an igw- gateway", () => {
    const resources = network();
    resources.find((r) => r.name === "private-rt")!.props.routes = [
      { cidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" },
    ];
    assert.deepEqual(
      checkNodeSubnets([...resources, nodeGroup(["private-a-mock-id"])], config).map((f) => f.message),
      [
        'subnetIds: subnet "private-a" routes to an internet gateway (route table "private-rt") — node groups must use private subnets',
      ],
    );
  });

  it("flags a subnet the stack does not declare", () => {
    assert.deepEqual(
      checkNodeSubnets([...network(), nodeGroup(["subnet-0123"])], config).map((f) => f.message),
      [
        'subnetIds: ["subnet-0123"] — must be subnets declared in this stack, so that they can be checked to be private',
      ],
    );
  });

  it("follows the engine's property dependencies when ids are not known yet", () => {
    const ng = {
      ...nodeGroup(["[unknown]"]),
      propertyDependencies: {
        subnetIds: [{ urn: "urn:pulumi:test::agentops::aws:ec2/subnet:Subnet::public-a" }],
      },
    };
    assert.deepEqual(
      checkNodeSubnets([...network(), ng], config).map((f) => f.message),
      [
        'subnetIds: subnet "public-a" has mapPublicIpOnLaunch true — node groups must use private subnets',
        'subnetIds: subnet "public-a" routes to an internet gateway (route table "public-rt") — node groups must use private subnets',
      ],
    );
  });
});
