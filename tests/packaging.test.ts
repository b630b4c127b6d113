/**
 * The packages as other teams get them: `npm pack` of @agentops/components and @agentops/policy, installed into
 * folders under the OS temp directory (outside the repository), with no network. Dependencies are hard-linked
 * from this repository's node_modules (what `npm ci` installed) and every file the compiler or Node.js loads is
 * checked to lie inside the temporary folder, so nothing borrows the workspace.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { parse } from "yaml";
import { policies } from "../policy/policies";
import { configWarnings } from "@agentops/components";
import { ROOT, stackConfig } from "./harness";

const NODE_MODULES = path.join(ROOT, "node_modules");
/** Children run without the repository's `agentops-source` condition (tests/setup.ts): as a consumer would. */
const CONSUMER_ENV = { ...process.env, NODE_OPTIONS: "" };

/** Pulumi's TypeScript template (pulumi/templates typescript/tsconfig.json, 2026-08): strict, no skipLibCheck. */
const PULUMI_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    shell: process.platform === "win32",
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
  });
  const out = `${String(r.stdout)}\n${String(r.stderr)}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} exited ${r.status}:\n${out.slice(-4000)}`);
  return { stdout: String(r.stdout), seconds: (Date.now() - started) / 1000 };
}

/**
 * The installed packages `names` need, found the way Node.js resolves them (nested node_modules first, then
 * the hoisted ones), as top-level entries of the repository's node_modules.
 */
function dependencyClosure(names: string[]): string[] {
  const top = new Set<string>();
  const seen = new Set<string>();
  const find = (from: string, dep: string): string | undefined => {
    for (let dir = from; dir.startsWith(NODE_MODULES); dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", dep);
      if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    }
    const hoisted = path.join(NODE_MODULES, dep);
    return fs.existsSync(path.join(hoisted, "package.json")) ? hoisted : undefined;
  };
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const [first, second] = path.relative(NODE_MODULES, dir).split(path.sep) as [string, string];
    top.add(first.startsWith("@") ? `${first}/${second}` : first);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
    for (const dep of Object.keys(deps)) {
      const found = find(dir, dep);
      if (found) visit(found);
    }
  };
  for (const name of names) visit(path.join(NODE_MODULES, name));
  return [...top].sort();
}

/** Hard links (copies across file systems): the files then live inside `dest`, at no cost in space. */
function linkTree(src: string, dest: string): void {
  const stat = fs.lstatSync(src);
  if (stat.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const entry of fs.readdirSync(src)) linkTree(path.join(src, entry), path.join(dest, entry));
  } else if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else {
    try {
      fs.linkSync(src, dest);
    } catch {
      fs.copyFileSync(src, dest);
    }
  }
}

/** A project folder with `deps` (and what they need) installed from this repository's node_modules. */
function projectWith(dir: string, deps: string[]): void {
  for (const name of dependencyClosure(deps)) {
    linkTree(path.join(NODE_MODULES, name), path.join(dir, "node_modules", name));
  }
}

/** Installs a packed tarball as npm does: its `package/` folder becomes node_modules/<name>. */
function installTarball(dir: string, tarball: string, name: string): void {
  const target = path.join(dir, "node_modules", name);
  fs.mkdirSync(target, { recursive: true });
  run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
}

const outside = (dir: string, files: string[]) =>
  files.filter((f) => !path.resolve(f).startsWith(fs.realpathSync(dir) + path.sep) && !f.startsWith("node:"));

describe("this repository runs @agentops/components from source (export condition agentops-source)", () => {
  const SOURCE = path.join(ROOT, "components/src/index.ts");

  it("in the tests and in the processes they start", () => {
    assert.equal(require.resolve("@agentops/components"), SOURCE);
    const child = spawnSync(process.execPath, ["-p", `require.resolve("@agentops/components")`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(child.stdout.trim(), SOURCE, child.stderr);
  });

  it("in the type-check (tsconfig.json customConditions)", () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
      },
    )!;
    const resolved = ts.resolveModuleName(
      "@agentops/components",
      path.join(ROOT, "index.ts"),
      config.options,
      ts.sys,
    );
    assert.equal(resolved.resolvedModule?.resolvedFileName, SOURCE);
  });

  it("in the npm scripts and under the Pulumi CLI (Pulumi.yaml nodeargs)", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
      runtime: { options: { nodeargs: string } };
    };
    assert.equal(project.runtime.options.nodeargs, "--conditions=agentops-source");
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const script of ["synth", "policy", "cost:diff", "test:integration"]) {
      assert.match(scripts[script]!, /^node --import tsx --conditions=agentops-source /, script);
    }
  });
});

describe("the documented consumer program", () => {
  it("is the one the package test type-checks and runs, in both READMEs", () => {
    const program = fs.readFileSync(path.join(ROOT, "tests/fixtures/consumer/index.ts"), "utf8");
    for (const readme of ["README.md", "components/README.md"]) {
      assert.ok(
        fs.readFileSync(path.join(ROOT, readme), "utf8").includes(`\`\`\`ts\n${program}\`\`\``),
        readme,
      );
    }
  });
});

describe("packages, as other teams install them", function () {
  // Building, packing and type-checking against @pulumi/kubernetes without skipLibCheck take minutes on a
  // loaded machine; the steps' times are printed.
  this.timeout(600_000);
  let work: string;
  const packed: Record<string, PackResult> = {};
  const tarball = (name: string) => path.join(work, packed[name]!.filename);

  before(() => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "agentops-packages-")));
    const build = run("npm", ["run", "build"], { cwd: ROOT });
    const pack = run(
      "npm",
      ["pack", "--json", "--workspace", "components", "--workspace", "policy", "--pack-destination", work],
      { cwd: ROOT },
    );
    for (const p of JSON.parse(pack.stdout) as (PackResult & { name: string })[]) packed[p.name] = p;
    console.log(`      build ${build.seconds.toFixed(1)} s, pack ${pack.seconds.toFixed(1)} s`);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("a process without the condition, as a consumer runs, loads the build", () => {
    const child = spawnSync(process.execPath, ["-p", `require.resolve("@agentops/components")`], {
      cwd: ROOT,
      encoding: "utf8",
      env: CONSUMER_ENV,
    });
    assert.equal(child.stdout.trim(), path.join(ROOT, "components/dist/index.js"), child.stderr);
  });

  it("@agentops/components ships JavaScript, declarations, source maps and its README, no TypeScript source", () => {
    const files = packed["@agentops/components"]!.files.map((f) => f.path);
    for (const f of ["README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]) {
      assert.ok(files.includes(f), `${f} missing from ${files.join(", ")}`);
    }
    for (const entry of [
      "agents/index",
      "tenancy/index",
      "model/index",
      "stack/entry-config",
      "testing/index",
    ]) {
      assert.ok(files.includes(`dist/${entry}.js`) && files.includes(`dist/${entry}.d.ts`), entry);
    }
    assert.deepEqual(
      files.filter((f) => !f.startsWith("dist/") && !["README.md", "package.json"].includes(f)),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      [],
    );
    // The project's own commands live in the private tools workspace: no command-line entry ships.
    assert.deepEqual(
      files.filter(
        (f) => /(^|\/)(cli|ci-cli|diff-cli)\.(js|d\.ts)$/.test(f) || /dist\/(synth|render|diff)\//.test(f),
      ),
      [],
    );
    assert.equal(packageJson("components").bin, undefined);
  });

  it("@agentops/policy ships its build, PulumiPolicy.yaml and the per-environment config", () => {
    const files = packed["@agentops/policy"]!.files.map((f) => f.path).sort();
    for (const f of [
      "PulumiPolicy.yaml",
      "dist/index.js",
      "dist/policies.js",
      "config/prod.json",
      "README.md",
    ]) {
      assert.ok(files.includes(f), `${f} missing from ${files.join(", ")}`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts") || f.startsWith("runner/") || f.startsWith("dist/runner/")),
      [],
    );
  });

  describe("a program on Pulumi's TypeScript template that uses the components", () => {
    let consumer: string;

    before(() => {
      consumer = path.join(work, "consumer");
      const started = Date.now();
      projectWith(consumer, [
        // The peers: the main entry (checked to load) needs all four; agents and tenancy only the first two.
        ...Object.keys(packageJson("components").peerDependencies),
        "typescript",
        "ts-node",
        "@types/node",
        ...Object.keys(packageJson("components").dependencies),
      ]);
      installTarball(consumer, tarball("@agentops/components"), "@agentops/components");
      const write = (file: string, text: string) => fs.writeFileSync(path.join(consumer, file), text);
      write(
        "package.json",
        JSON.stringify({ name: "consumer", private: true, main: "index.ts" }, undefined, 2),
      );
      write("tsconfig.json", JSON.stringify(PULUMI_TEMPLATE_TSCONFIG, undefined, 2));
      fs.copyFileSync(path.join(ROOT, "tests/fixtures/consumer/index.ts"), path.join(consumer, "index.ts"));
      write("run-under-mocks.js", RUN_UNDER_MOCKS);
      console.log(`      install ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it("type-checks with tsc, declarations of every dependency included", () => {
      const tsc = path.join(consumer, "node_modules/typescript/bin/tsc");
      const r = run(process.execPath, [tsc, "-p", consumer, "--noEmit", "--listFiles"], {
        cwd: consumer,
        env: CONSUMER_ENV,
      });
      console.log(`      tsc ${r.seconds.toFixed(1)} s`);
      const files = r.stdout.split("\n").filter((l) => l.trim() !== "");
      assert.ok(files.some((f) => f.endsWith("@agentops/components/dist/agents/agent.d.ts")));
      assert.deepEqual(outside(consumer, files), []);
    });

    it("runs as Pulumi runs it (ts-node, type-checked): a Tenant and an Agent from required fields only, its entry in an unannotated variable, its image an Output", () => {
      const r = run(process.execPath, ["run-under-mocks.js"], { cwd: consumer, env: CONSUMER_ENV });
      console.log(`      run ${r.seconds.toFixed(1)} s`);
      const result = JSON.parse(r.stdout) as RunResult;
      assert.deepEqual(outside(consumer, result.loaded), []);
      assert.ok(result.loaded.includes(path.join(consumer, "index.ts")));
      assert.equal(
        result.resolved,
        path.join(consumer, "node_modules/@agentops/components/dist/agents/index.js"),
      );
      assert.deepEqual(
        result.resources.map((x) => `${x.type} ${x.name}`).sort(),
        [
          "agentops:tenancy:Tenant team-a",
          "kubernetes:core/v1:Namespace team-a-namespace",
          "kubernetes:core/v1:ResourceQuota team-a-quota",
          "kubernetes:core/v1:LimitRange team-a-limits",
          "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-default-deny",
          "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-dns",
          "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-monitoring-scrape",
          "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-otlp-egress",
          "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-intra-namespace",
          "kubernetes:rbac.authorization.k8s.io/v1:Role team-a-role",
          "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding team-a-role-binding",
          "agentops:agents:Agent summarizer",
          "kubernetes:core/v1:ServiceAccount summarizer-service-account",
          "kubernetes:core/v1:ConfigMap summarizer-config",
          "kubernetes:apps/v1:Deployment summarizer-deployment",
          "kubernetes:core/v1:Service summarizer-service",
          "kubernetes:autoscaling/v2:HorizontalPodAutoscaler summarizer-hpa",
          "kubernetes:policy/v1:PodDisruptionBudget summarizer-pdb",
          "kubernetes:monitoring.coreos.com/v1:ServiceMonitor summarizer-service-monitor",
          "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler summarizer-vpa",
        ].sort(),
      );
      const get = (name: string) => result.resources.find((x) => x.name === name)!;
      const deployment = get("summarizer-deployment");
      // The defaults the entry left out, from the schema: port 8080, no node group, the tenant's limits.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are free-form
      const pod = (deployment.inputs as any).spec.template.spec;
      // The image arrived as an Output<string>: checked once known, and its tag is the version label.
      assert.equal(pod.containers[0].image, "ghcr.io/example/summarizer:1.0.0");
      assert.equal(
        (deployment.inputs as { metadata: { labels: Record<string, string> } }).metadata.labels[
          "app.kubernetes.io/version"
        ],
        "1.0.0",
      );
      assert.deepEqual(pod.containers[0].ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
      assert.equal(pod.nodeSelector, undefined);
      assert.equal((deployment.inputs as { metadata: { namespace: string } }).metadata.namespace, "team-a");
      // Given the Tenant component, the agent's objects wait for the namespace and its guard rails.
      assert.ok(deployment.dependsOn.includes(get("team-a-namespace").urn), deployment.dependsOn.join(", "));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((get("team-a-limits").inputs as any).spec.limits[0].default, {
        cpu: "500m",
        memory: "512Mi",
      });
      assert.deepEqual(result.outputs, { namespace: "team-a", serviceName: "summarizer" });
      // Exactly the values components/README.md lists as the public surface (ciRunner: internal, for CI).
      assert.deepEqual([...result.mainExports].sort(), [...documentedValues(), "ciRunner"].sort());
    });

    it("checks a stack file through @agentops/components/config with the program's messages, loading no Pulumi SDK and no component", () => {
      const stacks = path.join(consumer, "stacks");
      fs.mkdirSync(stacks, { recursive: true });
      for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"])
        fs.copyFileSync(path.join(ROOT, f), path.join(stacks, f));
      fs.writeFileSync(
        path.join(stacks, "Pulumi.broken.yaml"),
        fs
          .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
          .replace(/^(\s+)- name: governance$/m, "$1- name: monitoring"),
      );
      const script = `
        const { ConfigError, configWarnings, parseStackConfig, rawStackConfig, readStackConfig } = require("@agentops/components/config");
        const parse = (stack) => parseStackConfig({ ...rawStackConfig(readStackConfig(${JSON.stringify(stacks)}, stack).config), stack });
        const dev = parse("dev");
        let broken;
        try { parse("broken"); } catch (err) { broken = err instanceof ConfigError ? err.message : String(err); }
        console.log(JSON.stringify({ environment: dev.environment, agents: dev.agents.map((a) => a.name), warnings: configWarnings(dev), broken, loaded: Object.keys(require.cache) }));`;
      const r = run(process.execPath, ["-e", script], { cwd: consumer, env: CONSUMER_ENV });
      const got = JSON.parse(r.stdout) as {
        environment: string;
        agents: string[];
        warnings: string[];
        broken: string;
        loaded: string[];
      };
      const expected = stackConfig("dev");
      assert.equal(got.environment, "dev");
      assert.deepEqual(
        got.agents,
        expected.agents.map((a) => a.name),
      );
      assert.deepEqual(got.warnings, configWarnings(expected));
      // The tenant-namespace check needs the platform's releases (platform/releases.ts), not their values builders.
      assert.match(
        got.broken,
        /^tenants\[0\] \(monitoring\)\.name: "monitoring" — must not be a namespace the platform owns \(releases kube-prometheus-stack, loki, jaeger, otel-collector, opencost run there\)/m,
      );
      const components = path.join(consumer, "node_modules/@agentops/components/dist");
      assert.ok(got.loaded.includes(path.join(components, "stack/entry-config.js")));
      assert.deepEqual(
        got.loaded.filter(
          (f) =>
            f.includes("/node_modules/@pulumi/") ||
            /\/dist\/(agents\/(agent|objects)|platform\/(registry|platform|context|addons\/.*)|tenancy\/tenant|cluster\/eks-cluster|stack\/program)\.js$/.test(
              f,
            ),
        ),
        [],
      );
      assert.deepEqual(outside(consumer, got.loaded), []);
    });
  });

  describe("the policy pack, installed with the components into an empty folder", () => {
    let folder: string;

    before(() => {
      folder = path.join(work, "policy-pack");
      const started = Date.now();
      projectWith(folder, [
        ...Object.keys(packageJson("policy").dependencies).filter((d) => !d.startsWith("@agentops/")),
        ...Object.keys(packageJson("components").dependencies),
      ]);
      installTarball(folder, tarball("@agentops/policy"), "@agentops/policy");
      installTarball(folder, tarball("@agentops/components"), "@agentops/components");
      fs.writeFileSync(path.join(folder, "loaded-modules.js"), LOADED_MODULES_HOOK);
      console.log(`      install ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it("starts its analyzer the way the Pulumi CLI does and serves every policy of the pack", async () => {
      const packDir = path.join(folder, "node_modules/@agentops/policy");
      const loadedFile = path.join(folder, "loaded.json");
      // pulumi-analyzer-policy runs `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <pack>` in the pack's
      // folder; the pack's PolicyPack starts the gRPC analyzer and prints its port.
      const child = spawn(
        process.execPath,
        [path.join(folder, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."],
        {
          cwd: packDir,
          env: {
            ...CONSUMER_ENV,
            NODE_OPTIONS: `--require ${path.join(folder, "loaded-modules.js")}`,
            AGENTOPS_LOADED_MODULES: loadedFile,
          },
        },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let stdout = "";
          child.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
            const line = /^(\d+)\s*$/m.exec(stdout);
            if (line) resolve(Number(line[1]));
          });
          child.on("exit", (code) => reject(new Error(`analyzer exited ${code}: ${stdout}\n${stderr}`)));
        });
        const info = await analyzerInfo(folder, port);
        assert.equal(info.name, "agentops");
        assert.equal(info.version, "0.1.0");
        assert.deepEqual(info.policies.sort(), policies.map((p) => p.name).sort());
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      const loaded = JSON.parse(fs.readFileSync(loadedFile, "utf8")) as string[];
      assert.ok(loaded.includes(path.join(folder, "node_modules/@agentops/components/dist/model/index.js")));
      // The model entry stands on the floors below the components: no provider SDK, no add-on, no component.
      const components = path.join(folder, "node_modules/@agentops/components/dist");
      assert.deepEqual(
        loaded.filter(
          (f) =>
            f.includes("node_modules/@pulumi/kubernetes/") ||
            f.includes("node_modules/@pulumi/aws/") ||
            (f.startsWith(`${components}/`) &&
              /^\/(platform|agents|tenancy|cluster|gateway|observability|stores|stack)\//.test(
                f.slice(components.length),
              )),
        ),
        [],
      );
      assert.deepEqual(outside(folder, loaded), []);
      assert.equal(
        loaded.filter((f) => f.endsWith(".ts")).length,
        0,
        "no TypeScript for Pulumi's bundled compiler to parse",
      );
    });
  });
});

/** The values the "Public surface" table of components/README.md lists (its second column). */
function documentedValues(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "components/README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Public surface"), readme.indexOf("## Use the components"));
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| group") && !line.startsWith("| ---"))
    .flatMap((line) => [...(line.split("|")[2] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1]!));
}

interface PackageJson {
  bin?: unknown;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

function packageJson(workspace: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(ROOT, workspace, "package.json"), "utf8")) as PackageJson;
}

/** GetAnalyzerInfo over gRPC, with the client libraries installed in `folder`. */
async function analyzerInfo(
  folder: string,
  port: number,
): Promise<{ name: string; version: string; policies: string[] }> {
  const load = createRequire(path.join(folder, "package.json")) as (id: string) => Record<string, unknown>;
  /* eslint-disable @typescript-eslint/no-explicit-any -- generated gRPC and protobuf modules are untyped here */
  const grpc = load("@grpc/grpc-js") as any;
  const rpc = load("@pulumi/pulumi/proto/analyzer_grpc_pb") as any;
  const empty = load("google-protobuf/google/protobuf/empty_pb") as any;
  const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const info = await new Promise<any>((resolve, reject) =>
      client.getAnalyzerInfo(new empty.Empty(), (err: Error | null, res: unknown) =>
        err ? reject(err) : resolve(res),
      ),
    );
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p: any) => p.getName() as string),
    };
  } finally {
    client.close();
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

interface RunResult {
  resources: {
    urn: string;
    type: string;
    name: string;
    inputs: unknown;
    dependsOn: string[];
  }[];
  outputs: Record<string, unknown>;
  loaded: string[];
  resolved: string;
  mainExports: string[];
}

/**
 * What the Pulumi CLI's Node.js host does with a TypeScript program (@pulumi/pulumi cmd/run/run.js): register
 * ts-node with type-checking and the project's compiler options, then require the package's main; here under
 * the mocks of @agentops/components/testing instead of an engine.
 */
const RUN_UNDER_MOCKS = `"use strict";
const { startMockRuntime, settle } = require("@agentops/components/testing");
const tsutils = require("@pulumi/pulumi/tsutils");

const resources = startMockRuntime({ project: "consumer", stack: "dev", config: {} });
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  typeCheck: true,
  skipProject: false,
  compiler: typescriptRequire,
  compilerOptions: {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
    ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json"),
  },
});
const program = require(process.cwd());
const unwrap = (v) => new Promise((resolve) => (v && typeof v.apply === "function" ? v.apply(resolve) : resolve(v)));

(async () => {
  await settle();
  const outputs = {};
  for (const [k, v] of Object.entries(program)) outputs[k] = await unwrap(v);
  const mainExports = Object.keys(require("@agentops/components"));
  process.stdout.write(
    JSON.stringify({
      resources: resources.map(({ urn, type, name, inputs, dependsOn }) => ({ urn, type, name, inputs, dependsOn })),
      outputs,
      loaded: Object.keys(require.cache),
      resolved: require.resolve("@agentops/components/agents"),
      mainExports,
    }),
  );
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** Preloaded into the analyzer: on SIGTERM, writes every module file it loaded, then exits. */
const LOADED_MODULES_HOOK = `"use strict";
process.on("SIGTERM", () => {
  require("fs").writeFileSync(process.env.AGENTOPS_LOADED_MODULES, JSON.stringify(Object.keys(require.cache)));
  process.exit(0);
});
`;
