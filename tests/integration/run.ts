/**
 * Integration test: an ephemeral stack `it-<id>` brought up for real with the Automation API, checked, and
 * destroyed. It needs the Pulumi CLI (logged in to a backend), kubectl, and either a reachable cluster
 * (`AGENTOPS_IT_CONTEXT=<kubeconfig context>`: existing-cluster mode, e.g. kind) or AWS credentials with
 * `AGENTOPS_IT_AWS=1` (a full EKS stack; costs money for the ~30 minutes it lives).
 * When something is missing it prints one line saying what, and exits 0 without pretending to have run.
 *
 *   npm run test:integration
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const TIMEOUT = "600s";

function has(cmd: string, args: string[]): boolean {
  const run = spawnSync(cmd, args, { encoding: "utf8", stdio: "pipe" });
  return run.status === 0;
}

/** Why the test cannot run here, or undefined when it can. */
function missing(): string | undefined {
  if (!has("pulumi", ["version"])) return "no Pulumi CLI on PATH (https://www.pulumi.com/docs/install/)";
  if (!has("pulumi", ["whoami"]))
    return "the Pulumi CLI is not logged in to a backend (pulumi login, or PULUMI_BACKEND_URL)";
  if (!has("kubectl", ["version", "--client"])) return "no kubectl on PATH";
  const context = process.env.AGENTOPS_IT_CONTEXT;
  if (context) {
    if (!has("kubectl", ["--context", context, "get", "--raw", "/readyz"]))
      return `cluster context ${context} is not reachable`;
    return undefined;
  }
  if (process.env.AGENTOPS_IT_AWS !== "1") {
    return "no cluster: set AGENTOPS_IT_CONTEXT=<kubeconfig context>, or AGENTOPS_IT_AWS=1 with AWS credentials for a full EKS stack";
  }
  if (!has("aws", ["sts", "get-caller-identity"]))
    return "AGENTOPS_IT_AWS=1 but no working AWS credentials (aws sts get-caller-identity failed)";
  return undefined;
}

/** The stack file of the ephemeral stack: dev's tenants and agents, on the given cluster. */
function writeStackFile(stack: string, context: string | undefined): string {
  const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  if (context) dev.config["agentops:cluster"] = { mode: "existing", context };
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(
    file,
    `# Ephemeral integration-test stack; removed when the test ends.\n${stringify(dev)}`,
  );
  return file;
}

async function main(): Promise<number> {
  const reason = missing();
  if (reason) {
    console.log(`integration test skipped: ${reason}`);
    return 0;
  }
  const context = process.env.AGENTOPS_IT_CONTEXT;
  const stackName = `it-${randomBytes(4).toString("hex")}`;
  const stackFile = writeStackFile(stackName, context);
  const stack = await LocalWorkspace.createStack({ stackName, workDir: ROOT });
  const policy = {
    policyPacks: [path.join(ROOT, "policy")],
    policyPackConfigs: [path.join(ROOT, "policy", "config", "dev.json")],
  };
  let failed = false;
  try {
    console.log(`integration: pulumi up ${stackName} (${context ? `context ${context}` : "AWS"})`);
    await stack.up({ ...policy, onOutput: (s) => process.stdout.write(s) });
    const kubectl = (args: string[]) => {
      const ctx = context
        ? ["--context", context]
        : ["--kubeconfig", path.join(ROOT, "out", `${stackName}.kubeconfig`)];
      const run = spawnSync("kubectl", [...ctx, ...args], { encoding: "utf8", stdio: "inherit" });
      if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed`);
    };
    if (!context) {
      const outputs = await stack.outputs();
      fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
      fs.writeFileSync(
        path.join(ROOT, "out", `${stackName}.kubeconfig`),
        String(outputs.kubeconfig?.value ?? ""),
        { mode: 0o600 },
      );
    }
    kubectl([
      "wait",
      "--for=condition=Available",
      "deployment",
      "-l",
      "app.kubernetes.io/part-of=agentops",
      "-A",
      `--timeout=${TIMEOUT}`,
    ]);
    console.log("integration: agents Available and the policy pack passed");
  } catch (err) {
    failed = true;
    console.error(`integration: FAILED — ${(err as Error).message}`);
  } finally {
    await stack.destroy({ onOutput: (s) => process.stdout.write(s) });
    await stack.workspace.removeStack(stackName);
    fs.rmSync(stackFile, { force: true });
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
