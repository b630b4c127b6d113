/**
 * The binaries `npm run toolchain` builds, one entry each: which wrapper module (a folder beside this file with
 * its own go.mod/go.sum pinning exact versions) builds which Go package, with which version stamps, and which
 * data files of a module the tools need at run time (copied beside the binaries, so nothing later needs Go).
 *
 * Adding a binary is one entry here (and its wrapper module, if it is a new one). Versions live in the wrapper
 * go.mod files only; the `-X` stamps below read them through `{version:<module>}` placeholders, filled from the
 * wrapper's build list at build time.
 */

/** One binary of the toolchain. */
export interface ToolchainBinary {
  /** File name in the bin folder. */
  name: string;
  /** The wrapper module's folder, relative to tools/toolchain/. */
  wrapper: string;
  /** The Go package (`package main`) to build, as the wrapper's build list resolves it. */
  package: string;
  /**
   * `-X importpath.name=value` stamps, beside `-s -w`. `{version:<module path>}` is the module's version in the
   * wrapper's build list, `{major:<module>}`/`{minor:<module>}` its parts, `{time:<module>}` its publication time.
   * @default []
   */
  stamps?: readonly string[];
  /**
   * Folders of a module (`<module path>/<folder>`) copied into `<key>/<to>`: data the binary reads at run time.
   * @default []
   */
  assets?: readonly { module: string; folder: string; to: string }[];
  /** Go build tags. @default none */
  tags?: readonly string[];
  /**
   * The module the binary's code comes from, when `package` is the wrapper's own main (`.`).
   * @default the module of the build list that provides `package`
   */
  source?: string;
  /**
   * JSON files of a module that the wrapper's own main embeds but the module zip lacks (upstream's Makefile
   * generates them): read from the module cache, `version` set where given, minified, and written beside a copy
   * of the wrapper in `<key>/src/<wrapper>`, from which the binary is built. @default none
   */
  generated?: readonly { module: string; from: string; to: string; version?: string }[];
  /**
   * A Pulumi plugin: after the build, `pulumi plugin install <kind> <name> <version> --file <binary>` into the
   * toolchain's Pulumi home (`<key>/pulumi-home`), at the version the npm SDK `npmPackage` of this checkout asks
   * for, so the engine finds it without downloading anything. @default not a plugin
   */
  pulumiPlugin?: { kind: "resource"; name: string; npmPackage: string };
}

const KUBERNETES = "k8s.io/kubernetes";
/**
 * The version variables `/version` reports (hack/lib/version.sh `kube::version::ldflags`): without them the API
 * server says v0.0.0, which Helm's `kubeVersion` checks and the Pulumi provider's awaits read.
 */
const KUBE_VERSION_STAMPS = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap(
  (pkg) => [
    `${pkg}.gitVersion={version:${KUBERNETES}}`,
    `${pkg}.gitMajor={major:${KUBERNETES}}`,
    `${pkg}.gitMinor={minor:${KUBERNETES}}`,
    `${pkg}.gitTreeState=clean`,
    `${pkg}.buildDate={time:${KUBERNETES}}`,
  ],
);

const PULUMI = "github.com/pulumi/pulumi/pkg/v3";
const PULUMI_KUBERNETES = "github.com/pulumi/pulumi-kubernetes/provider/v4";
/**
 * The release the provider's pinned commit is: tag v4.25.0 = commit f47bc2d6f199, the one commit of
 * pulumi-kubernetes/provider/v4 the module proxy serves (published as pseudo-versions only). It is installed
 * under the version the npm SDK asks for (the engine loads plugins by that version); it reports its own.
 */
const PULUMI_KUBERNETES_RELEASE = "4.25.0";

/** Every binary, in build order (the local control plane's first: etcd, the Kubernetes components, kwok). */
export const TOOLCHAIN_BINARIES: readonly ToolchainBinary[] = [
  // The module root of go.etcd.io/etcd/server/v3 is package main (server/main.go).
  { name: "etcd", wrapper: "etcd", package: "go.etcd.io/etcd/server/v3" },
  {
    name: "kube-apiserver",
    wrapper: "kubernetes",
    package: `${KUBERNETES}/cmd/kube-apiserver`,
    stamps: KUBE_VERSION_STAMPS,
  },
  {
    name: "kube-controller-manager",
    wrapper: "kubernetes",
    package: `${KUBERNETES}/cmd/kube-controller-manager`,
    stamps: KUBE_VERSION_STAMPS,
  },
  {
    name: "kube-scheduler",
    wrapper: "kubernetes",
    package: `${KUBERNETES}/cmd/kube-scheduler`,
    stamps: KUBE_VERSION_STAMPS,
  },
  {
    name: "kwok",
    wrapper: "kwok",
    package: "sigs.k8s.io/kwok/cmd/kwok",
    // Standalone kwok needs its Stage objects (node and pod lifecycles) in a file: the module ships them.
    assets: [{ module: "sigs.k8s.io/kwok", folder: "kustomize/stage", to: "kwok/stage" }],
  },
  // The Pulumi engine (issue 21): the CLI with its release build's tags and version stamp (pulumi/pulumi
  // Makefile and .goreleaser.yml), and the Kubernetes provider, installed as a plugin.
  {
    name: "pulumi",
    wrapper: "pulumi",
    package: `${PULUMI}/cmd/pulumi`,
    tags: ["osusergo", "grpcnotrace"],
    stamps: [`github.com/pulumi/pulumi/sdk/v3/go/common/version.Version={version:${PULUMI}}`],
  },
  {
    name: "pulumi-resource-kubernetes",
    wrapper: "pulumi-kubernetes",
    package: ".",
    source: PULUMI_KUBERNETES,
    stamps: [`${PULUMI_KUBERNETES}/pkg/version.Version=${PULUMI_KUBERNETES_RELEASE}`],
    // What the provider's `make` does (provider/cmd/pulumi-resource-kubernetes/generate.go): the schema with its
    // version set, and the Terraform mapping, minified, embedded by main.go.
    generated: [
      {
        module: PULUMI_KUBERNETES,
        from: "cmd/pulumi-resource-kubernetes/schema.json",
        to: "schema-embed.json",
        version: PULUMI_KUBERNETES_RELEASE,
      },
      {
        module: PULUMI_KUBERNETES,
        from: "cmd/pulumi-resource-kubernetes/terraform-mapping.json",
        to: "terraform-mapping-embed.json",
      },
    ],
    pulumiPlugin: { kind: "resource", name: "kubernetes", npmPackage: "@pulumi/kubernetes" },
  },
];
