import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseStackConfig, rawStackConfig } from "@agentops/components";
import { listStacks, readStackConfig, UsageError } from "@agentops/components/testing";
import { configProblems, ROOT } from "./harness";
import { validConfig, withAgent } from "./fixtures/config";

const problems = configProblems;

describe("stack configuration", () => {
  it("accepts the valid fixture and fills in defaults", () => {
    const cfg = parseStackConfig(validConfig());
    const hybrid = cfg.agents[2]!;
    assert.equal(hybrid.gpu, 0);
    assert.equal(hybrid.port, 8080);
    assert.equal(hybrid.spot, false);
    assert.equal(hybrid.timeZone, "Etc/UTC");
    assert.deepEqual(cfg.agents[0]!.llm, { monthlyUsd: 0 });
    assert.deepEqual(cfg.tenants[0]!.quota.gpu, 0);
  });

  it("keeps quantities as the strings Kubernetes sees, numbers included", () => {
    const cfg = parseStackConfig(
      withAgent(
        0,
        (a) => (a.resources = { requests: { cpu: 1, memory: "2Gi" }, limits: { cpu: 4, memory: "8Gi" } }),
      ),
    );
    assert.deepEqual(cfg.agents[0]!.resources.requests, { cpu: "1", memory: "2Gi" });
  });

  describe("rejects, one line per problem as `<key path>: <bad value> — <what is allowed>`", () => {
    it("an SQS queue's credentials of another kind: the two there are, not zod's words", () => {
      const raw = rawStackConfig(readStackConfig(ROOT, "dev").config);
      const agents = raw.agentops.agents as {
        name: string;
        scaling?: { queue?: { credentials?: unknown } };
      }[];
      const i = agents.findIndex((a) => a.scaling?.queue?.credentials !== undefined);
      const at = `agents[${i}] (${agents[i]!.name}).scaling.queue.credentials`;
      const withCredentials = (credentials: unknown) => {
        const copy = structuredClone(agents);
        copy[i]!.scaling!.queue!.credentials = credentials;
        return { ...raw, agentops: { ...raw.agentops, agents: copy } };
      };
      assert.deepEqual(problems(withCredentials({ from: "bogus" })), [
        `${at}.from: "bogus" — must be podIdentity or secrets`,
      ]);
      assert.deepEqual(problems(withCredentials(5)), [
        `${at}: 5 — must be a mapping (YAML \`key: value\` lines)`,
      ]);
    });

    it("a value of the wrong type, named in YAML's terms, not zod's (`expected object, received number`)", () => {
      const MAPPING = "must be a mapping (YAML `key: value` lines)";
      const edit = (change: (c: Record<string, unknown>) => void) => {
        const raw = validConfig();
        change(raw.agentops);
        return raw;
      };
      assert.deepEqual(problems(edit((c) => (c.platform = { enabled: true, charts: 5 }))), [
        `platform.charts: 5 — ${MAPPING}`,
      ]);
      assert.deepEqual(problems(edit((c) => (c.backups = "nightly"))), [`backups: "nightly" — ${MAPPING}`]);
      assert.deepEqual(problems(edit((c) => (c.stores = { audit: 5 }))), [`stores.audit: 5 — ${MAPPING}`]);
      // An entry or a tagged value that is no mapping has no mode, engine or kind to name.
      const agents = validConfig().agentops.agents as unknown[];
      assert.deepEqual(problems(edit((c) => (c.agents = [5, ...agents.slice(1)]))), [
        `agents[0]: 5 — ${MAPPING}`,
      ]);
      assert.ok(problems(edit((c) => (c.cluster = ["eks"]))).includes(`cluster: ["eks"] — ${MAPPING}`));
      // A mapping without its tag still hears the tag's values.
      assert.deepEqual(problems(edit((c) => (c.stores = { audit: { size: "1Gi" } }))), [
        "stores.audit.engine: (missing) — must be one of postgres, valkey, s3",
      ]);
    });

    it("a tier out of range", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.tier = 7))), [
        "agents[2] (security-agent).tier: 7 — must be 1, 2, 3 or 4",
      ]);
    });

    it("a job deadline shorter than the expected run", () => {
      assert.deepEqual(
        problems(withAgent(1, (a) => (a.job = { expectedRunMinutes: 45, activeDeadlineSeconds: 600 }))),
        [
          "agents[1] (nightly-report).job.activeDeadlineSeconds: 600 — must be at least expectedRunMinutes × 60 (2700): the Job controller stops a run at its deadline",
        ],
      );
    });

    it("a secret named twice", () => {
      assert.deepEqual(
        problems(withAgent(0, (a) => (a.secrets = ["LLM_API_KEY", "GITHUB_TOKEN", "LLM_API_KEY"]))),
        [`agents[0] (it-ops-agent).secrets[2]: "LLM_API_KEY" — must be unique (also secrets[0])`],
      );
    });

    it("an env key that is not an environment variable name, saying what is allowed", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.env = { "log-level": "debug" }))), [
        `agents[0] (it-ops-agent).env.log-level: "log-level" — keys must be environment variable names`,
      ]);
    });

    it("a tier that is not a number", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.tier = "three"))), [
        `agents[0] (it-ops-agent).tier: "three" — must be 1, 2, 3 or 4`,
      ]);
    });

    it("min replicas above max", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.replicas = { min: 8, max: 6 }))), [
        "agents[2] (security-agent).replicas.min: 8 — must be <= replicas.max (6)",
      ]);
    });

    it("a quantity that is not one", () => {
      assert.deepEqual(
        problems(
          withAgent(0, (a) => ((a.resources as { requests: { cpu: unknown } }).requests.cpu = "lots")),
        ),
        [
          `agents[0] (it-ops-agent).resources.requests.cpu: "lots" — must be a Kubernetes cpu quantity greater than 0, e.g. "500m" or "2"`,
        ],
      );
    });

    it("a memory quantity with a unit Kubernetes does not know", () => {
      assert.deepEqual(
        problems(
          withAgent(0, (a) => ((a.resources as { limits: { memory: unknown } }).limits.memory = "8GB")),
        ),
        [
          `agents[0] (it-ops-agent).resources.limits.memory: "8GB" — must be a Kubernetes memory quantity greater than 0, e.g. "512Mi" or "4Gi"`,
        ],
      );
    });

    it("a name that is not a DNS label", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.name = "IT_Ops"))), [
        `agents[0] (IT_Ops).name: "IT_Ops" — must be a DNS-1035 label of at most 63 characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
      ]);
    });

    it("duplicate agent names", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.name = "it-ops-agent"))), [
        `agents[2] (it-ops-agent).name: "it-ops-agent" — must be unique across the stack (also agents[0].name)`,
      ]);
    });

    it("an unknown tenant", () => {
      assert.deepEqual(problems(withAgent(1, (a) => (a.tenant = "finance"))), [
        `agents[1] (nightly-report).tenant: "finance" — must name a tenant declared under agentops:tenants (governance)`,
      ]);
    });

    it("scheduled mode without a schedule", () => {
      assert.deepEqual(problems(withAgent(1, (a) => delete a.schedule)), [
        "agents[1] (nightly-report).schedule: (missing) — is required for mode scheduled: a five-field cron expression",
      ]);
    });

    it("a schedule with a value out of range", () => {
      assert.deepEqual(problems(withAgent(1, (a) => (a.schedule = "0 25 * * *"))), [
        `agents[1] (nightly-report).schedule: "0 25 * * *" — must be a schedule Kubernetes' CronJob accepts: end of range (25) above maximum (23): 25`,
      ]);
    });

    it("a schedule that is not cron at all", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.schedule = "every night"))), [
        `agents[2] (security-agent).schedule: "every night" — must be a schedule Kubernetes' CronJob accepts: expected exactly 5 fields, found 2: [every night] (minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>)`,
      ]);
    });

    it("a negative budget", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.budget = { monthlyUsd: -5 }))), [
        "agents[0] (it-ops-agent).budget.monthlyUsd: -5 — must be a number of US dollars > 0",
      ]);
    });

    it("a zero budget", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.budget = { monthlyUsd: 0 }))), [
        "agents[0] (it-ops-agent).budget.monthlyUsd: 0 — must be a number of US dollars > 0",
      ]);
    });

    it("negative GPUs", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.gpu = -1))), [
        "agents[2] (security-agent).gpu: -1 — must be a whole number from 0 to 8",
      ]);
    });

    it("fractional GPUs", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.gpu = 0.5))), [
        "agents[2] (security-agent).gpu: 0.5 — must be a whole number from 0 to 8",
      ]);
    });

    it("an unknown mode", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.mode = "daemon"))), [
        `agents[0] (it-ops-agent).mode: "daemon" — must be one of service, scheduled, hybrid`,
      ]);
    });

    it("an empty image", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.image = ""))), [
        `agents[0] (it-ops-agent).image: "" — must be a container image reference, e.g. ghcr.io/org/agent:1.2.3 (this one is empty)`,
      ]);
    });

    it("negative LLM spend", () => {
      assert.deepEqual(problems(withAgent(2, (a) => (a.llm = { monthlyUsd: -1 }))), [
        "agents[2] (security-agent).llm.monthlyUsd: -1 — must be a number of US dollars >= 0",
      ]);
    });

    it("requests above limits", () => {
      assert.deepEqual(
        problems(
          withAgent(
            0,
            (a) =>
              (a.resources = { requests: { cpu: "8", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } }),
          ),
        ),
        [`agents[0] (it-ops-agent).resources.requests.cpu: "8" — must be <= resources.limits.cpu (4)`],
      );
    });

    it("autoscaling on a scheduled-only agent", () => {
      assert.deepEqual(problems(withAgent(1, (a) => (a.autoscaling = { cpuUtilization: 70 }))), [
        `agents[1] (nightly-report).autoscaling: {"cpuUtilization":70} — applies only to mode service or hybrid (a scheduled agent runs no long-lived pods to scale)`,
      ]);
    });

    it("a schedule on a service-only agent", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.schedule = "0 2 * * *"))), [
        `agents[0] (it-ops-agent).schedule: "0 2 * * *" — applies only to mode scheduled or hybrid`,
      ]);
    });

    it("a misspelt key", () => {
      assert.deepEqual(problems(withAgent(0, (a) => (a.replica = 3))), [
        "agents[0] (it-ops-agent).replica: 3 — is not a known key here (known: mode, name, tenant, tier, image, resources, gpu, budget, llm, storage, stores, spot, env, secrets, internetEgress, automountServiceAccountToken, replicas, autoscaling, scaling, expose, port, probes)",
      ]);
    });

    it("a missing required key", () => {
      const cfg = validConfig();
      delete cfg.agentops.tenants;
      assert.deepEqual(problems(cfg), [
        "tenants: (missing) — is required",
        `agents[0] (it-ops-agent).tenant: "governance" — must name a tenant declared under agentops:tenants (none declared)`,
        `agents[1] (nightly-report).tenant: "governance" — must name a tenant declared under agentops:tenants (none declared)`,
        `agents[2] (security-agent).tenant: "governance" — must name a tenant declared under agentops:tenants (none declared)`,
      ]);
    });

    it("an unknown environment", () => {
      const cfg = validConfig();
      cfg.agentops.environment = "qa";
      assert.deepEqual(problems(cfg), [`environment: "qa" — must be one of dev, staging, prod`]);
    });

    it("an unknown agentops: key", () => {
      const cfg = validConfig();
      cfg.agentops.agent = [];
      assert.deepEqual(problems(cfg), [
        "agent: [] — is not a known key of agentops: (known: environment, cluster, platform, tenants, agents, stores, backups)",
      ]);
    });

    it("keys named like an object's own properties, and a key with a second colon, as any unknown key", () => {
      // As the stack file gives them: Pulumi's flat map of `namespace:key` to JSON text.
      const flat = (extra: Record<string, string>) => {
        const all: Record<string, string> = {};
        for (const [key, value] of Object.entries(validConfig().agentops)) {
          all[`agentops:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
        }
        return { ...all, ...extra };
      };
      const known = "(known: environment, cluster, platform, tenants, agents, stores, backups)";
      for (const key of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
        const all = flat({});
        Object.defineProperty(all, `agentops:${key}`, { value: "1", enumerable: true });
        assert.deepEqual(
          problems(rawStackConfig(all)),
          [`${key}: 1 — is not a known key of agentops: ${known}`],
          key,
        );
      }
      // `agentops:environment:previous` is not `environment`: the environment stays dev, and the key is named.
      const raw = rawStackConfig(flat({ "agentops:environment:previous": "prod" }));
      assert.equal(raw.agentops.environment, "dev");
      assert.deepEqual(problems(raw), [
        `"environment:previous": "prod" — is not a known key of agentops: ${known}`,
      ]);
      // A key that is empty or has spaces shows as written.
      assert.deepEqual(
        problems(rawStackConfig(flat({ "agentops:": "1", "agentops: environment": "prod" }))),
        [
          `"": 1 — is not a known key of agentops: ${known}`,
          `" environment": "prod" — is not a known key of agentops: ${known}`,
        ],
      );
    });

    it("an empty kubeconfig context", () => {
      const cfg = validConfig();
      cfg.agentops.cluster = { mode: "existing", context: "" };
      assert.deepEqual(problems(cfg), [`cluster.context: "" — must be a kubeconfig context name`]);
    });

    it("an unknown cluster mode", () => {
      const cfg = validConfig();
      cfg.agentops.cluster = { mode: "gke", context: "x" };
      assert.deepEqual(problems(cfg), [`cluster.mode: "gke" — must be eks or existing`]);
    });

    it("an EKS cluster without aws:region", () => {
      const dev = rawStackConfig(readStackConfig(ROOT, "dev").config);
      delete dev.region;
      assert.deepEqual(problems(dev), [
        "aws:region: (missing) — is required for an EKS cluster: an AWS region, e.g. eu-west-1",
      ]);
    });
  });

  describe("rejects platform settings that do not fit the environment", () => {
    const withPlatform = (platform: unknown, environment = "dev") => {
      const cfg = validConfig();
      cfg.agentops.platform = platform;
      cfg.agentops.environment = environment;
      return cfg;
    };

    it("Loki on S3 without an EKS cluster", () => {
      assert.deepEqual(problems(withPlatform({ loki: { mode: "simpleScalable" } })), [
        `platform.loki.mode: "simpleScalable" — needs cluster.mode eks (Loki keeps its chunks in the cluster's S3 bucket); use singleBinary`,
      ]);
    });

    it("in-memory traces outside dev", () => {
      assert.deepEqual(problems(withPlatform({ jaeger: { storage: "memory" } }, "prod")), [
        `platform.jaeger.storage: "memory" — must be badger in prod (in-memory traces are lost on every restart; dev only)`,
      ]);
    });

    it("an even number of Vault raft voters", () => {
      assert.deepEqual(problems(withPlatform({ vault: { ha: true, replicas: 4 } })), [
        "platform.vault.replicas: 4 — must be an odd number from 3 to 7 (raft quorum)",
      ]);
    });

    it("a retention that is not a Prometheus duration", () => {
      assert.deepEqual(problems(withPlatform({ prometheus: { retention: "2 weeks" } })), [
        `platform.prometheus.retention: "2 weeks" — must be a Prometheus duration greater than 0: whole numbers with units from largest to smallest, each once (y, w, d, h, m, s, ms), e.g. 15d, 12h or 1d12h`,
      ]);
    });
  });

  it("lists every problem at once, in the order of the file", () => {
    const cfg = withAgent(0, (a) => {
      a.tier = 9;
      a.mode = "daemon";
    });
    (cfg.agentops.agents as Record<string, unknown>[])[2]!.gpu = -2;
    assert.deepEqual(problems(cfg), [
      "agents[0] (it-ops-agent).tier: 9 — must be 1, 2, 3 or 4",
      `agents[0] (it-ops-agent).mode: "daemon" — must be one of service, scheduled, hybrid`,
      "agents[2] (security-agent).gpu: -2 — must be a whole number from 0 to 8",
    ]);
  });

  it("reports as a ConfigError whose message heads the lines with a count", () => {
    try {
      parseStackConfig(withAgent(0, (a) => (a.tier = 0)));
      assert.fail("accepted");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        "invalid stack configuration (1 problem):\nagents[0] (it-ops-agent).tier: 0 — must be 1, 2, 3 or 4",
      );
    }
  });
});

describe("readStackConfig: stack files it cannot read, one line each (the commands' first check)", () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-stack-files-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(path.join(root, "Pulumi.ok.yaml"), "config:\n  agentops:environment: dev\n");
    fs.mkdirSync(path.join(root, "Pulumi.folder.yaml"));
    fs.symlinkSync("nowhere", path.join(root, "Pulumi.dangling.yaml"));
    fs.writeFileSync(path.join(root, "Pulumi.tag.yaml"), "config:\n  weird: !custom 5\n");
    fs.writeFileSync(path.join(root, "Pulumi.list.yaml"), "config: [1, 2]\n");
    fs.writeFileSync(
      path.join(root, "Pulumi.loop.yaml"),
      "config:\n  agentops:tenants: &t\n    - name: a\n      quota: *t\n",
    );
    fs.writeFileSync(path.join(root, "Pulumi.colons.yaml"), "config:\n  aws:region:x: eu-west-1\n");
    fs.writeFileSync(path.join(root, "Pulumi.legacy.yaml"), "config:\n  agentops:config:environment: dev\n");
    fs.writeFileSync(path.join(root, "Pulumi.shared.yaml"), "config:\n  a: &v { x: 1 }\n  b: *v\n");
    fs.writeFileSync(
      path.join(root, "Pulumi.merge.yaml"),
      `config:\n  a: &base { x: 1, y: 2 }\n  b: { <<: *base, y: 3 }\n  c: [${Array(100).fill("*base").join(", ")}]\n`,
    );
    let laughs = "config:\n  l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
    for (let i = 1; i <= 9; i++)
      laughs += `  l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(", ")}]\n`;
    fs.writeFileSync(path.join(root, "Pulumi.laughs.yaml"), laughs);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const message = (stack: string) => {
    try {
      readStackConfig(root, stack);
    } catch (err) {
      assert.ok(err instanceof UsageError, String(err));
      return err.message;
    }
    assert.fail(`${stack} was read`);
  };

  it("names a folder, a link to nothing, an unknown tag and a config that is no mapping for what they are", () => {
    assert.equal(message("folder"), "Pulumi.folder.yaml: a folder, not a file — must be a YAML file");
    assert.equal(
      message("dangling"),
      `stack: "dangling" — Pulumi.dangling.yaml links to a file that is not there in ${root} (stacks here: colons, laughs, legacy, list, loop, merge, ok, shared, tag)`,
    );
    assert.equal(
      message("tag"),
      "Pulumi.tag.yaml: not valid YAML — Unresolved tag: !custom at line 2, column 10",
    );
    assert.equal(message("list"), "Pulumi.list.yaml: config: [1,2] — must be a YAML mapping of config keys");
  });

  it("names an alias inside the value its anchor marks (an endless value), and reads an anchor used beside it", () => {
    assert.equal(
      message("loop"),
      "Pulumi.loop.yaml: config.agentops:tenants[0].quota: an alias (*name) inside the value its anchor (&name) marks — the value would never end; write it out, or anchor a value outside it",
    );
    assert.deepEqual(readStackConfig(root, "shared").config, {
      "agentops:a": '{"x":1}',
      "agentops:b": '{"x":1}',
    });
  });

  it("takes configuration keys as the Pulumi CLI parses them: <namespace>:<name>, the old <namespace>:config:<name>", () => {
    assert.equal(
      message("colons"),
      'Pulumi.colons.yaml: config: "aws:region:x" — not a configuration key: keys are <namespace>:<name> (e.g. agentops:environment), as the Pulumi CLI requires',
    );
    assert.deepEqual(readStackConfig(root, "legacy").config, { "agentops:environment": "dev" });
  });

  it("reads merge keys and a hundred uses of an anchor as the Pulumi CLI does; refuses aliases that expand without end", () => {
    const config = readStackConfig(root, "merge").config;
    assert.equal(config["agentops:b"], '{"x":1,"y":3}');
    assert.equal((JSON.parse(config["agentops:c"]!) as unknown[]).length, 100);
    assert.equal(
      message("laughs"),
      "Pulumi.laughs.yaml: not valid YAML here — its aliases (*name) expand to more than 10000 copies of their anchors' values",
    );
  });

  it("refuses stack names of dots alone, which would name the folder above out/", () => {
    for (const stack of [".", ".."]) {
      assert.equal(
        message(stack),
        `stack: "${stack}" — must be a stack name of letters, digits, '-', '_' or '.' (not dots alone)`,
      );
    }
  });

  it("lists only stacks whose file is there", () => {
    assert.deepEqual(listStacks(root), [
      "colons",
      "laughs",
      "legacy",
      "list",
      "loop",
      "merge",
      "ok",
      "shared",
      "tag",
    ]);
  });
});
