/**
 * Configuration validation agrees with the Kubernetes 1.35 API server (issue 14): cron in the CronJob's own
 * dialect, time zones, quantities by resource, and names derived from configured names.
 */
import * as assert from "node:assert/strict";
import {
  agentObjects,
  ComponentArgsError,
  ConfigError,
  parseStackConfig,
  type ScheduledAgentConfig,
} from "@agentops/components";
import { CostModelError, regionPrices } from "../components/src/catalog/prices";
import { DEFAULT_NODE_GROUPS, runsPerMonth, ScheduleError } from "../components/src/model/cost/estimate";
import { stackCostInput } from "../components/src/model/cost/stack";
import { parseKubernetesCron } from "../components/src/lib/cron";
import { timeZoneProblem } from "../components/src/lib/time-zone";
import { validConfig, withAgent } from "./fixtures/config";
import { configProblems as problems } from "./harness";

/** Problems of the valid fixture with its scheduled agent (agents[1], nightly-report) given `schedule`. */
const withSchedule = (schedule: string) => problems(withAgent(1, (a) => (a.schedule = schedule)));
const withTimeZone = (timeZone: string) => problems(withAgent(1, (a) => (a.timeZone = timeZone)));
const CRON = `must be a schedule Kubernetes' CronJob accepts:`;

describe("configuration mirrors the API server: CronJob schedules", () => {
  it("refuses day of week 7 as Kubernetes does (robfig/cron takes 0-6), with the fix", () => {
    assert.deepEqual(withSchedule("0 3 * * 7"), [
      `agents[1] (nightly-report).schedule: "0 3 * * 7" — ${CRON} end of range (7) above maximum (6): 7 (day of week is 0-6 or sun-sat; Sunday is 0, not 7)`,
    ]);
  });

  for (const schedule of [
    "0 3 * * 0",
    "0 3 * * SUN",
    "0 9 * * mon-fri",
    "*/15 * * * *",
    "5/15 * * * ?",
    "0 0 1 jan,JUL *",
    "0 0 1-7 * 1",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every 1h30m",
    "@every 90s",
    "+5 * * * *",
    "1,,2 * * * *",
    "*-5 * * * *",
  ]) {
    it(`accepts ${JSON.stringify(schedule)} as the API server does`, () => {
      const cfg = parseStackConfig(withAgent(1, (a) => (a.schedule = schedule)));
      assert.equal(cfg.agents[1]!.schedule, schedule);
    });
  }

  for (const [schedule, error] of [
    ["TZ=UTC 0 3 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
    ["CRON_TZ=Europe/Berlin 0 3 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
    ["0 3 * * * *", "expected exactly 5 fields, found 6: [0 3 * * * *]"],
    ["@every 90", "failed to parse duration @every 90"],
    ["@weekly ", "unrecognized descriptor: @weekly "],
    ["@reboot", "unrecognized descriptor: @reboot"],
    ["0 24 * * *", "end of range (24) above maximum (23): 24"],
    ["0 0 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["0 0 * 13 *", "end of range (13) above maximum (12): 13"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["0 0 * * 1/2/3", "too many slashes: 1/2/3"],
    ["0 0 * * 1-2-3", "too many hyphens: 1-2-3"],
    ["0 0 * * monday", 'failed to parse int from monday: strconv.Atoi: parsing "monday": invalid syntax'],
    ["-5 * * * *", 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    ["L * * * *", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
  ] as const) {
    it(`refuses ${JSON.stringify(schedule)} with the API server's reason`, () => {
      assert.deepEqual(parseKubernetesCron(schedule), { ok: false, error });
    });
  }

  it("names the five fields and the macros when the field count is wrong", () => {
    assert.deepEqual(withSchedule("0 3 * *"), [
      `agents[1] (nightly-report).schedule: "0 3 * *" — ${CRON} expected exactly 5 fields, found 4: [0 3 * *] (minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>)`,
    ]);
  });

  it("lists the known macros for an unknown one", () => {
    assert.deepEqual(withSchedule("@fortnightly"), [
      `agents[1] (nightly-report).schedule: "@fortnightly" — ${CRON} unrecognized descriptor: @fortnightly (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)`,
    ]);
  });

  it("refuses a TZ prefix: the zone goes in timeZone", () => {
    assert.deepEqual(withSchedule("CRON_TZ=Europe/Berlin 0 3 * * *"), [
      `agents[1] (nightly-report).schedule: "CRON_TZ=Europe/Berlin 0 3 * * *" — ${CRON} cannot use TZ or CRON_TZ in schedule, use timeZone field instead`,
    ]);
  });
});

describe("configuration mirrors the API server: CronJob timeZone", () => {
  it("refuses Local, which synthesized before and the API server rejects", () => {
    assert.deepEqual(withTimeZone("Local"), [
      `agents[1] (nightly-report).timeZone: "Local" — must be an explicit IANA time zone, e.g. Etc/UTC or Europe/Berlin (Kubernetes refuses Local: it would be the controller's own zone)`,
    ]);
  });

  it("refuses a misspelt zone on timeZone, not schedule, and exits as a ConfigError (no stack trace)", () => {
    assert.throws(
      () => parseStackConfig(withAgent(1, (a) => (a.timeZone = "America/NewYork"))),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.lines.join("\n") ===
          `agents[1] (nightly-report).timeZone: "America/NewYork" — is not a time zone of the IANA database (e.g. America/New_York, Europe/Berlin, Etc/UTC)`,
    );
  });

  it("refuses a zone in the wrong case (Go's LoadLocation is case-sensitive), naming the right one", () => {
    assert.deepEqual(withTimeZone("america/new_york"), [
      `agents[1] (nightly-report).timeZone: "america/new_york" — is not a time zone of the IANA database: names are case-sensitive; did you mean America/New_York?`,
    ]);
  });

  it("refuses names the API server's character rule refuses before any lookup", () => {
    const allowed = `is not a time zone name: parts between "/" are 1-14 letters, digits, ".", "_", "+" or "-" (e.g. Europe/Berlin)`;
    for (const zone of [
      "../etc/passwd",
      "Europe/-Berlin",
      "America/Argentina_Buenos",
      "+01:00",
      "Europe//Berlin",
    ]) {
      assert.equal(timeZoneProblem(zone), allowed, zone);
    }
    assert.equal(timeZoneProblem(""), "must be an IANA time zone name, e.g. Europe/Berlin (not empty)");
    assert.match(timeZoneProblem("LOCAL")!, /^must be an explicit IANA time zone/);
  });

  for (const zone of [
    "Etc/UTC",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "US/Pacific",
    "Asia/Calcutta",
    "Etc/GMT+5",
    "EST5EDT",
  ]) {
    it(`accepts ${zone} (a zone or backward link of the IANA database)`, () => {
      assert.equal(timeZoneProblem(zone), undefined);
    });
  }
});

describe("configuration mirrors the API server: quantities by resource", () => {
  const withMemory = (memory: string) =>
    problems(
      withAgent(
        0,
        (a) => (a.resources = { requests: { cpu: "1", memory }, limits: { cpu: "4", memory: "8Gi" } }),
      ),
    );

  it("refuses 512m of memory (half a byte) with the hint 512Mi", () => {
    assert.deepEqual(withMemory("512m"), [
      `agents[0] (it-ops-agent).resources.requests.memory: "512m" — must be a whole number of bytes (memory is counted in bytes; "m" means thousandths); did you mean 512Mi?`,
    ]);
  });

  it("refuses any fraction of a byte, e.g. 0.1Gi", () => {
    assert.deepEqual(withMemory("0.1Gi"), [
      `agents[0] (it-ops-agent).resources.requests.memory: "0.1Gi" — must be a whole number of bytes (memory is counted in bytes; "m" means thousandths), e.g. "512Mi" or "4Gi"`,
    ]);
  });

  it("accepts fractions that are whole bytes (1.5Gi) and plain byte counts", () => {
    for (const memory of ["1.5Gi", "536870912", "500M", "1e9"])
      assert.doesNotThrow(
        () =>
          parseStackConfig(
            withAgent(
              0,
              (a) => (a.resources = { requests: { cpu: "1", memory }, limits: { cpu: "4", memory: "8Gi" } }),
            ),
          ),
        memory,
      );
  });

  it("refuses container memory below 6Mi (runc cannot start the container)", () => {
    assert.deepEqual(withMemory("4Mi"), [
      `agents[0] (it-ops-agent).resources.requests.memory: "4Mi" — must be at least 6Mi (a container needs about 6Mi to start (runc))`,
    ]);
  });

  it("refuses a volume below 1Gi (the smallest EBS gp3 volume) and fractional storage", () => {
    assert.deepEqual(problems(withAgent(2, (a) => (a.storage = { size: "500Mi" }))), [
      `agents[2] (security-agent).storage.size: "500Mi" — must be at least 1Gi (the smallest EBS gp3 volume is 1Gi)`,
    ]);
    assert.deepEqual(problems(withAgent(2, (a) => (a.storage = { size: "10m" }))), [
      `agents[2] (security-agent).storage.size: "10m" — must be a whole number of bytes (storage is counted in bytes; "m" means thousandths); did you mean 10Mi?`,
    ]);
  });

  it("refuses fractional bytes in a tenant's quota and LimitRange too", () => {
    const cfg = validConfig();
    const tenant = (cfg.agentops.tenants as Record<string, Record<string, unknown>>[])[0]!;
    (tenant.quota as Record<string, unknown>).storage = "100m";
    tenant.limitRange = { max: { cpu: "8", memory: "32m" } };
    assert.deepEqual(problems(cfg), [
      `tenants[0] (governance).quota.storage: "100m" — must be a whole number of bytes (storage is counted in bytes; "m" means thousandths); did you mean 100Mi?`,
      `tenants[0] (governance).limitRange.max.memory: "32m" — must be a whole number of bytes (memory is counted in bytes; "m" means thousandths); did you mean 32Mi?`,
    ]);
  });

  it("keeps CPU quantities as before: millicores are CPU's unit", () => {
    const cfg = parseStackConfig(
      withAgent(
        0,
        (a) =>
          (a.resources = { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1.5", memory: "2Gi" } }),
      ),
    );
    assert.equal(cfg.agents[0]!.resources.requests.cpu, "250m");
  });
});

describe("configuration mirrors the API server: names derived from configured names", () => {
  const name = (n: number, first = "a") => first + "b".repeat(n - 1);

  it("refuses an agent name whose CronJob name would pass 52 characters", () => {
    const agent = name(49);
    assert.deepEqual(problems(withAgent(1, (a) => (a.name = agent))), [
      `agents[1] (${agent}).name: "${agent}" — is 1 character too long: the CronJob "${agent}-job" is 53 characters, Kubernetes allows 52 (the CronJob controller appends 11 characters to name each Job)`,
    ]);
  });

  it("accepts 48 characters for a scheduled agent (CronJob name 52)", () => {
    assert.doesNotThrow(() => parseStackConfig(withAgent(1, (a) => (a.name = name(48)))));
  });

  it("refuses a StatefulSet name whose controller-revision-hash label would pass 63 characters", () => {
    const agent = name(53);
    assert.deepEqual(
      problems(
        withAgent(0, (a) => {
          a.name = agent;
          a.storage = { size: "1Gi" };
        }),
      ),
      [
        `agents[0] (${agent}).name: "${agent}" — is 1 character too long: the label controller-revision-hash "${agent}-" + a hash of up to 10 characters is 64 characters, Kubernetes allows 63 (label values are at most 63 characters; the StatefulSet's revision hash takes up to 10 after a '-')`,
      ],
    );
  });

  it("accepts 53 characters for a Deployment agent: nothing built from it passes a limit", () => {
    assert.doesNotThrow(() => parseStackConfig(withAgent(0, (a) => (a.name = name(53)))));
  });

  it("refuses an agent name that is not a DNS-1035 label: its Service name must start with a letter", () => {
    assert.deepEqual(problems(withAgent(0, (a) => (a.name = "1st-agent"))), [
      `agents[0] (1st-agent).name: "1st-agent" — must be a DNS-1035 label of at most 63 characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
    ]);
  });

  it("takes a tenant name as Kubernetes takes a namespace: a DNS-1123 label, digits first allowed, ≤ 63", () => {
    const rename = (n: string) => {
      const cfg = validConfig();
      (cfg.agentops.tenants as Record<string, unknown>[])[0]!.name = n;
      for (const a of cfg.agentops.agents as Record<string, unknown>[]) a.tenant = n;
      return cfg;
    };
    assert.doesNotThrow(() => parseStackConfig(rename("2nd-team")));
    assert.deepEqual(problems(rename(name(64))), [
      `tenants[0] (${name(64)}).name: "${name(64).slice(0, 56)}... — must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ]);
  });

  it("refuses a cost center that cannot be a label value", () => {
    const cfg = validConfig();
    (cfg.agentops.tenants as Record<string, unknown>[])[0]!.costCenter = "platform governance";
    assert.deepEqual(problems(cfg), [
      `tenants[0] (governance).costCenter: "platform governance" — must be a cost center usable as a Kubernetes label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    ]);
  });
});

describe("the cost model never throws on what a stack file can contain", () => {
  it("counts schedules as the CronJob controller reads them: names, @every", () => {
    assert.equal(runsPerMonth("@every 2h"), 365);
    assert.equal(runsPerMonth("0 3 * * SUN"), runsPerMonth("0 3 * * 0"));
    assert.equal(runsPerMonth("@weekly"), runsPerMonth("0 0 * * 0"));
    assert.equal(runsPerMonth("0 0 , * *"), 0);
  });

  it("gives a ScheduleError naming the key for a zone the API server refuses", () => {
    assert.throws(
      () => runsPerMonth("0 3 * * *", "America/NewYork"),
      (err: unknown) =>
        err instanceof ScheduleError && err.key === "timeZone" && err.value === "America/NewYork",
    );
  });

  it("a zone that bypassed the stack's validation never reaches the cost model: the Agent refuses it", () => {
    const cfg = parseStackConfig(validConfig());
    const agent = { ...(cfg.agents[1] as ScheduledAgentConfig), timeZone: "Local" };
    const tenant = cfg.tenants.find((t) => t.name === agent.tenant)!;
    assert.throws(
      () =>
        agentObjects({
          agent,
          tenant,
          environment: "dev",
          pricing: { prices: regionPrices("us-east-1"), nodeGroups: DEFAULT_NODE_GROUPS },
        }),
      (err: unknown) =>
        err instanceof ComponentArgsError &&
        err.message ===
          `Agent "nightly-report": agent.timeZone: "Local" — must be an explicit IANA time zone, e.g. Etc/UTC or Europe/Berlin (Kubernetes refuses Local: it would be the controller's own zone)`,
    );
  });

  it("names the CronJob whose schedule the cost model cannot count (objects the pack reads from anywhere)", () => {
    const cronJob = {
      type: "kubernetes:batch/v1:CronJob",
      name: "report-cronjob",
      urn: "urn:pulumi:dev::agentops::kubernetes:batch/v1:CronJob::report-cronjob",
      props: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "report-job", namespace: "team-a", labels: { "agentops.io/agent": "report" } },
        spec: {
          schedule: "0 3 * * *",
          timeZone: "Local",
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "agent", image: "x:1" }] } } } },
        },
      },
    };
    assert.throws(
      () => stackCostInput([cronJob], DEFAULT_NODE_GROUPS),
      (err: unknown) =>
        err instanceof CostModelError &&
        err.message ===
          `CronJob team-a/report-job: spec.timeZone: "Local" — must be an explicit IANA time zone, e.g. Etc/UTC or Europe/Berlin (Kubernetes refuses Local: it would be the controller's own zone)`,
    );
  });
});
