/**
 * `npm run rightsize`: reading VerticalPodAutoscalers (file or cluster), the suggested requests, the stack-file
 * patch (only the changed values), the cost effect, and the CLI's exit codes and messages.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "@agentops/components/testing";
import { parseRightsizeArgs } from "../tools/rightsize/cli";
import { kubectlError } from "../tools/rightsize/kubectl";
import {
  editStackFile,
  formatCpu,
  formatMemory,
  parseVpaObjects,
  sizeAgents,
  stackFilePatch,
} from "../tools/rightsize/rightsize";
import { ROOT, stackConfig } from "./harness";

const FIXTURE = path.join(ROOT, "tests/fixtures/vpa-dev.yaml");
const fixture = () => parseVpaObjects(fs.readFileSync(FIXTURE, "utf8"), "vpa-dev.yaml");

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--conditions=agentops-source", "tools/rightsize/cli.ts", ...args],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stand-in kubectl: prints `stdout` (or fails with `stderr`), recording its arguments. */
function fakeKubectl(dir: string, behaviour: { stdout?: string; stderr?: string }): string {
  const file = path.join(dir, "kubectl");
  const out = path.join(dir, "stdout");
  fs.writeFileSync(out, behaviour.stdout ?? "");
  fs.writeFileSync(
    file,
    [
      "#!/bin/sh",
      `echo "$@" > ${JSON.stringify(path.join(dir, "args"))}`,
      behaviour.stderr !== undefined
        ? `echo ${JSON.stringify(behaviour.stderr)} >&2; exit 1`
        : `cat ${JSON.stringify(out)}`,
    ].join("\n"),
    { mode: 0o755 },
  );
  return file;
}

describe("npm run rightsize", function () {
  this.timeout(300_000);

  describe("recommendations", () => {
    it("reads VPAs from a kubectl List, multi-document YAML and JSON, skipping other kinds", () => {
      assert.deepEqual(
        fixture().map((v) => v.metadata.name),
        ["security-agent", "security-agent-job", "it-ops-agent", "ai-agent", "architect-agent"],
      );
      const docs = "kind: ConfigMap\n---\nkind: VerticalPodAutoscaler\nmetadata: { name: a, namespace: t }\n";
      assert.deepEqual(
        parseVpaObjects(docs, "x").map((v) => v.metadata.name),
        ["a"],
      );
      const json = JSON.stringify({
        kind: "VerticalPodAutoscalerList",
        items: [{ kind: "VerticalPodAutoscaler", metadata: { name: "b", namespace: "t" } }],
      });
      assert.deepEqual(
        parseVpaObjects(json, "x").map((v) => v.metadata.name),
        ["b"],
      );
    });

    it("refuses a file that is not YAML, naming it", () => {
      assert.throws(
        () => parseVpaObjects("a: [b\n", "vpa.yaml"),
        (err: unknown) => err instanceof UsageError && /^vpa\.yaml: not YAML or JSON — /.test(err.message),
      );
    });

    it("refuses a recommendation the API would not hold, naming the object, the field and the value", () => {
      const vpa = (status: string, metadata = "{ name: security-agent, namespace: governance }") =>
        `kind: VerticalPodAutoscaler\nmetadata: ${metadata}\nstatus: ${status}\n`;
      const refused = (text: string) => {
        try {
          parseVpaObjects(text, '--from: "vpa.yaml"');
        } catch (err) {
          assert.ok(err instanceof UsageError, String(err));
          return err.message;
        }
        assert.fail("accepted");
      };
      const rec = (target: string) =>
        vpa(
          `{ recommendation: { containerRecommendations: [{ containerName: agent, target: ${target} }] } }`,
        );
      const prefix = '--from: "vpa.yaml": VerticalPodAutoscaler governance/security-agent: ';
      assert.equal(
        refused(rec("{ cpu: banana, memory: 1Gi }")),
        `${prefix}status.recommendation.containerRecommendations[0].target.cpu: "banana" — must be a Kubernetes quantity of at least 0, e.g. 250m or 512Mi`,
      );
      assert.equal(
        refused(rec("{ cpu: 250m, memory: -1Gi }")),
        `${prefix}status.recommendation.containerRecommendations[0].target.memory: "-1Gi" — must be a Kubernetes quantity of at least 0, e.g. 250m or 512Mi`,
      );
      assert.equal(
        refused(vpa('{ recommendation: { containerRecommendations: "x" } }')),
        `${prefix}status.recommendation.containerRecommendations: "x" — must be a list of containers' recommendations`,
      );
      assert.equal(
        refused(vpa("{}", "5")),
        '--from: "vpa.yaml": VerticalPodAutoscaler ?: metadata: 5 — must be a mapping with name and namespace',
      );
      assert.equal(
        refused(vpa("{}", "{ name: a }")),
        '--from: "vpa.yaml": VerticalPodAutoscaler ?/a: metadata.namespace: (missing) — must be text',
      );
      // A value that contains itself (an alias inside its anchor), and YAML's .inf, named as such.
      assert.equal(
        refused(rec("&t { cpu: *t, memory: 4Gi }")),
        `${prefix}status.recommendation.containerRecommendations[0].target.cpu: (a value that contains itself) — must be a Kubernetes quantity of at least 0, e.g. 250m or 512Mi`,
      );
      assert.equal(
        refused(rec("{ cpu: .inf }")),
        `${prefix}status.recommendation.containerRecommendations[0].target.cpu: Infinity — must be a Kubernetes quantity of at least 0, e.g. 250m or 512Mi`,
      );
      let laughs = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
      for (let i = 1; i <= 9; i++)
        laughs += `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]\n`;
      assert.equal(
        refused(laughs),
        `--from: "vpa.yaml": its aliases (*name) expand to more than 10000 copies of their anchors' values`,
      );
      // Numbers are quantities too (`cpu: 1`), and a VPA without a recommendation yet is kept.
      assert.equal(parseVpaObjects(rec("{ cpu: 1, memory: 1073741824 }"), "x").length, 1);
      assert.equal(parseVpaObjects(vpa("{}"), "x").length, 1);
    });

    it("writes quantities as the stack files do", () => {
      assert.deepEqual(
        [
          formatCpu(0.35),
          formatCpu(1),
          formatCpu(1.5),
          formatMemory(900 * 2 ** 20),
          formatMemory(2 * 2 ** 30),
        ],
        ["350m", "1", "1500m", "900Mi", "2Gi"],
      );
    });

    it("per agent: the larger target of its service and job, rounded up; a change under 10 % kept", () => {
      const sizings = sizeAgents(stackConfig("dev"), fixture());
      assert.deepEqual(
        sizings.map((s) => [s.agent, s.current, s.recommended, s.sources, s.change, s.raisedLimits]),
        [
          // 343m and 900Mi (the job) over 212m and 700Mi (the service).
          [
            "security-agent",
            { cpu: "500m", memory: "1Gi" },
            { cpu: "350m", memory: "900Mi" },
            ["security-agent", "security-agent-job"],
            true,
            [],
          ],
          [
            "it-ops-agent",
            { cpu: "1", memory: "2Gi" },
            { cpu: "400m", memory: "2560Mi" },
            ["it-ops-agent"],
            true,
            [],
          ],
          [
            "ai-agent",
            { cpu: "2", memory: "4Gi" },
            { cpu: "1980m", memory: "4100Mi" },
            ["ai-agent"],
            false,
            [],
          ],
          // A VPA without a status yet, and an agent without any VPA object in the file.
          ["architect-agent", { cpu: "500m", memory: "1Gi" }, undefined, [], false, []],
          ["triage-agent", { cpu: "250m", memory: "512Mi" }, undefined, [], false, []],
        ],
      );
    });

    it("a resource the target does not name (controlledResources: [memory]) keeps its request", () => {
      const vpas = parseVpaObjects(
        [
          "kind: VerticalPodAutoscaler",
          "metadata: { name: it-ops-agent, namespace: governance }",
          "status: { recommendation: { containerRecommendations: [{ containerName: agent, target: { memory: 3Gi } }] } }",
        ].join("\n"),
        "x",
      );
      const itOps = sizeAgents(stackConfig("dev"), vpas).find((s) => s.agent === "it-ops-agent")!;
      assert.deepEqual(
        [itOps.current, itOps.recommended, itOps.change],
        [{ cpu: "1", memory: "2Gi" }, { cpu: "1", memory: "3Gi" }, true],
      );
    });

    it("raises a limit the recommended request would exceed", () => {
      const vpas = parseVpaObjects(
        [
          "kind: VerticalPodAutoscaler",
          "metadata: { name: architect-agent, namespace: governance }",
          "status: { recommendation: { containerRecommendations: [{ containerName: agent, target: { cpu: 2500m, memory: 1Gi } }] } }",
        ].join("\n"),
        "x",
      );
      const [architect] = sizeAgents(stackConfig("dev"), vpas).filter((s) => s.agent === "architect-agent");
      assert.deepEqual(
        [architect!.recommended, architect!.raisedLimits],
        [{ cpu: "2500m", memory: "1Gi" }, ["cpu"]],
      );
      const text = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      const edited = editStackFile(text, "Pulumi.dev.yaml", [architect!]);
      assert.match(
        edited,
        /\n {6}resources: \{ requests: \{ cpu: 2500m, memory: 1Gi \}, limits: \{ cpu: 2500m, memory: 4Gi \} \}\n {6}storage: \{ size: 5Gi \}\n {6}spot: true\n {6}budget: \{ monthlyUsd: 350 \}/,
      );
    });
  });

  describe("the patch", () => {
    it("changes only the recommended values, comments and layout untouched, and applies with git", () => {
      const text = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      const edited = editStackFile(text, "Pulumi.dev.yaml", sizeAgents(stackConfig("dev"), fixture()));
      const changed = text
        .split("\n")
        .map((line, i) => [line, edited.split("\n")[i]])
        .filter(([a, b]) => a !== b);
      assert.deepEqual(changed, [
        [
          '      resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: "2", memory: 4Gi } }',
          '      resources: { requests: { cpu: 350m, memory: 900Mi }, limits: { cpu: "2", memory: 4Gi } }',
        ],
        [
          '      resources: { requests: { cpu: "1", memory: 2Gi }, limits: { cpu: "4", memory: 8Gi } }',
          '      resources: { requests: { cpu: 400m, memory: 2560Mi }, limits: { cpu: "4", memory: 8Gi } }',
        ],
      ]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rightsize-"));
      fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), text);
      fs.writeFileSync(path.join(dir, "p.patch"), stackFilePatch("Pulumi.dev.yaml", text, edited));
      const git = spawnSync("git", ["apply", "p.patch"], { cwd: dir, encoding: "utf8" });
      assert.equal(git.status, 0, git.stderr);
      assert.equal(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"), edited);
    });

    it("says where a value to edit is missing", () => {
      const [security] = sizeAgents(stackConfig("dev"), fixture());
      assert.throws(
        () => editStackFile("config: {}\n", "Pulumi.dev.yaml", [security!]),
        (err: unknown) =>
          err instanceof UsageError &&
          err.message ===
            "Pulumi.dev.yaml: agentops:agents[0].resources.requests.cpu — not found as a value to edit",
      );
    });
  });

  describe("the command", () => {
    it("--help: usage and exit 0", () => {
      const r = run(["--help"]);
      assert.equal(r.status, 0);
      assert.match(
        r.stdout,
        /^usage: npm run rightsize -- <stack> \[--from <file of VerticalPodAutoscalers>\]/,
      );
      assert.match(r.stdout, /exit codes: 0 report printed/);
    });

    it("names a bad argument, exit 2, one line and the usage", () => {
      const message = (argv: string[]) => {
        try {
          parseRightsizeArgs(argv);
        } catch (err) {
          assert.ok(err instanceof UsageError);
          return err.message.split("\n")[0];
        }
        assert.fail("accepted");
      };
      assert.equal(
        message(["dev", "--form", "x"]),
        "--form: unknown option — allowed: --from <file>, --context <name>, --out <dir>",
      );
      assert.equal(message(["dev", "--from"]), "--from: (missing) — needs a value");
      assert.equal(message([]), "stack: (missing) — exactly one stack name");
      const r = run(["dev", "staging"]);
      assert.equal(r.status, 2);
      assert.equal(r.stderr.split("\n")[0], 'stack: ["dev","staging"] — exactly one stack name');
    });

    it("a --from file that cannot be read: exit 2, one line", () => {
      const r = run(["dev", "--from", "/nonexistent/vpa.yaml"]);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr,
        '--from: "/nonexistent/vpa.yaml" — (missing): needs a file of VerticalPodAutoscalers (`kubectl get vpa -A -o yaml`)\n',
      );
      const folder = run(["dev", "--from", os.tmpdir()]);
      assert.equal(folder.status, 2);
      assert.equal(
        folder.stderr,
        `--from: ${JSON.stringify(os.tmpdir())} — a folder, not a file: needs a file of VerticalPodAutoscalers (\`kubectl get vpa -A -o yaml\`)\n`,
      );
    });

    it("a --from device (/dev/zero) is refused before it is read", () => {
      const r = run(["dev", "--from", "/dev/zero"]);
      assert.deepEqual(
        [r.status, r.stderr],
        [
          2,
          '--from: "/dev/zero" — not a regular file: needs a file of VerticalPodAutoscalers (`kubectl get vpa -A -o yaml`)\n',
        ],
      );
    });

    it("--from and --context together: exit 2 naming both, nothing read", () => {
      const r = run(["dev", "--from", "/nonexistent/vpa.yaml", "--context", "prod"]);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.split("\n")[0],
        '--context: "prod" — names the cluster to read, and --from reads a file instead: give one of them',
      );
    });

    it("a --from file without VerticalPodAutoscalers (package.json, an empty list): exit 2, one line", () => {
      for (const [file, text] of [
        ["package.json", undefined],
        ["empty.yaml", "apiVersion: v1\nkind: List\nitems: []\n"],
      ] as const) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpa-"));
        const from = text === undefined ? path.join(ROOT, file) : path.join(dir, file);
        if (text !== undefined) fs.writeFileSync(from, text);
        const r = run(["dev", "--from", from, "--out", dir]);
        assert.equal(r.status, 2, from);
        assert.equal(
          r.stderr,
          `--from: ${JSON.stringify(from)} — holds no VerticalPodAutoscaler (kind VerticalPodAutoscaler, autoscaling.k8s.io/v1): write the file with \`kubectl get vpa -A -o yaml\`\n`,
        );
        assert.deepEqual(
          fs.readdirSync(dir).filter((f) => f !== file),
          [],
        );
      }
    });

    it("kubectl's message, not client-go's log lines before it", () => {
      assert.equal(
        kubectlError(
          [
            'E1205 11:30:01.123456   4242 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: connection refused"',
            'E1205 11:30:01.223456   4242 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: connection refused"',
            "The connection to the server localhost:8080 was refused - did you specify the right host or port?",
            "",
          ].join("\n"),
        ),
        "The connection to the server localhost:8080 was refused - did you specify the right host or port?",
      );
      assert.equal(
        kubectlError('error: context "prod" does not exist\n'),
        'error: context "prod" does not exist',
      );
      assert.equal(
        kubectlError("E1205 11:30:01.123456   1 x.go:1] only a log line\n"),
        "E1205 11:30:01.123456   1 x.go:1] only a log line",
      );
      assert.equal(kubectlError(""), undefined);
    });

    it("no access to the cluster: kubectl's first line, exit 2", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-"));
      const kubectl = fakeKubectl(dir, { stderr: 'error: context "prod" does not exist' });
      const r = run(["dev", "--context", "prod", "--out", dir], { KUBECTL: kubectl });
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        'cluster (context "prod"): cannot read VerticalPodAutoscalers — error: context "prod" does not exist',
      );
      assert.equal(
        fs.readFileSync(path.join(dir, "args"), "utf8").trim(),
        "get verticalpodautoscalers.autoscaling.k8s.io --all-namespaces --selector agentops.io/agent --output json --request-timeout 30s --context prod",
      );
    });

    it("KUBECTL that is not a program: exit 2, one line", () => {
      const r = run(["dev"], { KUBECTL: "/nonexistent/kubectl" });
      assert.equal(r.status, 2);
      assert.equal(r.stderr.trim(), 'KUBECTL: "/nonexistent/kubectl" — not an executable file');
    });

    it("from the cluster: prints the table with the cost effect and writes the patch; applies nothing", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rightsize-"));
      const kubectl = fakeKubectl(dir, { stdout: fs.readFileSync(FIXTURE, "utf8") });
      const before = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      const r = run(["dev", "--out", dir], { KUBECTL: kubectl });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], "rightsize dev: 5 VerticalPodAutoscalers from the cluster (current context)");
      const row = (agent: string) => lines.find((l) => l.startsWith(`${agent} `))!.split(/\s{2,}/);
      // Compute falls with the requests; the environment loses a spot node at min and at max.
      assert.deepEqual(row("security-agent"), [
        "security-agent",
        "500m / 1Gi",
        "350m / 900Mi",
        "49.35 → 47.32 (−2.03)",
        "57.67 → 53.66 (−4.01)",
      ]);
      assert.deepEqual(row("ai-agent"), [
        "ai-agent",
        "2 / 4Gi",
        "1980m / 4100Mi (kept: < 10 %)",
        "152.19",
        "186.26",
      ]);
      assert.deepEqual(row("architect-agent"), [
        "architect-agent",
        "500m / 1Gi",
        "no recommendation yet",
        "157.92",
        "165.83",
      ]);
      assert.deepEqual(row("environment"), [
        "environment",
        "871.33 → 794.43 (−76.90)",
        "957.76 → 880.86 (−76.90)",
      ]);
      const patch = fs.readFileSync(path.join(dir, "rightsize.patch"), "utf8");
      assert.match(patch, /^-{3} a\/Pulumi\.dev\.yaml$/m);
      assert.match(patch, /^\+ {6}resources: \{ requests: \{ cpu: 400m, memory: 2560Mi \}/m);
      assert.equal(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"), before);
    });
  });
});
