/**
 * Checks of GitHub workflows against GitHub's documented behaviour, beyond what actionlint checks. Pure
 * functions over parsed workflow files: each returns the problems it finds, one line each, empty when sound.
 * tests/workflows.test.ts runs them on `.github/workflows/` and on broken fixtures in
 * tests/fixtures/workflows/, which each must fail.
 */

/** A workflow file as `yaml.parse` gives it; only the keys the checks read. */
export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

export type Permissions = Record<string, string> | "read-all" | "write-all";

export interface Job {
  uses?: string;
  permissions?: Permissions;
  needs?: string | string[];
  "runs-on"?: unknown;
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: Step[];
}

export interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// Permissions of reusable workflows

/**
 * The GITHUB_TOKEN scopes (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions).
 */
export const TOKEN_SCOPES = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "id-token",
  "issues",
  "models",
  "packages",
  "pages",
  "pull-requests",
  "security-events",
  "statuses",
] as const;

const LEVEL = { none: 0, read: 1, write: 2 } as const;
type Level = keyof typeof LEVEL;

/**
 * Every scope's level. A job without `permissions` has its workflow's; a workflow without them gets the
 * repository's default, taken here as the restricted one (contents and packages read), the default of new
 * repositories (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token).
 * Once `permissions` is set, every scope it leaves out is `none`.
 */
export function effectivePermissions(
  declared: Permissions | undefined,
  inherited?: Record<string, Level>,
): Record<string, Level> {
  if (declared === undefined) return inherited ?? { contents: "read", packages: "read" };
  if (declared === "read-all" || declared === "write-all") {
    const level: Level = declared === "read-all" ? "read" : "write";
    // id-token has no read level: read-all leaves it none.
    return Object.fromEntries(
      TOKEN_SCOPES.map((s) => [s, s === "id-token" && level === "read" ? "none" : level]),
    );
  }
  return Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v as Level]));
}

/**
 * GitHub's rule for reusable workflows: a called workflow's jobs can be granted no more than the calling job
 * has, and GitHub refuses the run otherwise ("The nested job 'up' is requesting 'id-token: write', but is only
 * allowed 'id-token: none'"; https://docs.github.com/en/actions/sharing-automations/reusing-workflows#access-and-permissions).
 * `workflows` maps file names (`deploy.yml`) to parsed files; nested calls are followed.
 */
export function reusablePermissionProblems(workflows: ReadonlyMap<string, Workflow>): string[] {
  const problems: string[] = [];
  const visit = (file: string, granted: Record<string, Level> | undefined, via: string) => {
    const wf = workflows.get(file);
    if (!wf) return;
    const workflowLevel = effectivePermissions(wf.permissions, granted);
    for (const [jobName, job] of Object.entries(wf.jobs)) {
      const asked = effectivePermissions(job.permissions, workflowLevel);
      const where = `${via}${file} jobs.${jobName}`;
      if (granted !== undefined) {
        for (const [scope, level] of Object.entries(asked)) {
          const allowed = granted[scope] ?? "none";
          if (LEVEL[level] > LEVEL[allowed])
            problems.push(
              `${where} asks ${scope}: ${level}, but its caller grants only ${scope}: ${allowed}`,
            );
        }
      }
      const called = /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? "")?.[1];
      if (called !== undefined) {
        if (!workflows.has(called)) problems.push(`${where} calls ${job.uses}, which does not exist`);
        else visit(called, asked, `${where} → `);
      }
    }
  };
  for (const file of workflows.keys()) if (!isCalledOnly(workflows.get(file)!)) visit(file, undefined, "");
  return problems;
}

/** A workflow started only by `workflow_call`: checked through its callers. */
function isCalledOnly(wf: Workflow): boolean {
  const on = wf.on;
  const events = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  return events.length === 1 && events[0] === "workflow_call";
}

// ---------------------------------------------------------------------------------------------------------
// Node.js versions

/**
 * Node.js release lines with their LTS dates, from the Node.js Release Working Group's schedule
 * (https://github.com/nodejs/Release/blob/main/schedule.json, read 2026-11-30). A line is a supported LTS from
 * `lts` up to and including `end`. Add a line here (with its dates from that file) before using it.
 */
export const NODE_SCHEDULE: Readonly<Record<number, { lts: string; end: string }>> = {
  20: { lts: "2023-10-24", end: "2026-04-30" },
  22: { lts: "2024-10-29", end: "2027-04-30" },
  24: { lts: "2025-10-28", end: "2028-04-30" },
};

/** The problem with a Node.js major on `day` (YYYY-MM-DD), or undefined for a supported LTS. */
export function nodeLtsProblem(major: number, day: string): string | undefined {
  const line = NODE_SCHEDULE[major];
  if (!line)
    return `Node.js ${major} is not in the schedule (known: ${Object.keys(NODE_SCHEDULE).join(", ")})`;
  if (day < line.lts) return `Node.js ${major} is not LTS before ${line.lts}`;
  if (day > line.end) return `Node.js ${major} reached its end of life on ${line.end}`;
  return undefined;
}

/**
 * Every `node-version` of `actions/setup-node` in a workflow, with `${{ matrix.<key> }}` resolved to each value
 * of the job's matrix, as `[where, version]`.
 */
export function nodeVersions(file: string, wf: Workflow): [string, string][] {
  const found: [string, string][] = [];
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      if (!step.uses?.startsWith("actions/setup-node@")) continue;
      const where = `${file} jobs.${jobName}`;
      const raw = step.with?.["node-version"];
      if (raw === undefined) {
        found.push([where, "(missing)"]);
        continue;
      }
      const matrixKey = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(String(raw))?.[1];
      const values = matrixKey ? job.strategy?.matrix?.[matrixKey] : [raw];
      for (const v of Array.isArray(values) ? values : [String(raw)]) found.push([where, String(v)]);
    }
  }
  return found;
}

/** Problems of every setup-node version in the workflows on `day`: not a whole LTS major, or not supported. */
export function nodeVersionProblems(workflows: ReadonlyMap<string, Workflow>, day: string): string[] {
  const problems: string[] = [];
  for (const [file, wf] of workflows) {
    for (const [where, version] of nodeVersions(file, wf)) {
      const major = /^(\d+)(\.\d+){0,2}$/.exec(version)?.[1];
      if (major === undefined) {
        problems.push(`${where}: node-version ${version} — must be a Node.js major such as 22`);
        continue;
      }
      const problem = nodeLtsProblem(Number(major), day);
      if (problem) problems.push(`${where}: node-version ${version} — ${problem}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Exit codes

/** Commands of this project whose exit 2 means "bad argument or file", not a finding. */
export const EXIT_CODE_COMMANDS = ["cost:diff", "diff", "policy", "render", "synth", "ci:stacks"] as const;

/**
 * A run step that keeps a project command's exit status instead of failing on it (`|| v=$?`, `v=$?`) must
 * tell 2 from 1 where the job decides: the status is followed through the variables it is copied to, the step
 * outputs it is written to and the env of later steps that read them; each last holder must be compared with
 * 2 (`"$X" -eq 2`, `case "$X" in … 2)`) or passed on by `exit "$X"`. Otherwise a bad argument reads as a
 * finding ("over the threshold").
 */
export function exitCodeProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  const commands = new RegExp(`npm run (?:--silent )?(${EXIT_CODE_COMMANDS.join("|")})\\b`);
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    const steps = job.steps ?? [];
    const runText = steps.map((s) => s.run ?? "").join("\n");
    for (const step of steps) {
      const run = step.run ?? "";
      if (!commands.test(run)) continue;
      for (const [, name] of run.matchAll(/(\w+)=\$\?/g)) {
        const last = lastHolders(name!, run, step, steps);
        for (const holder of last) {
          const handled =
            holder.shell &&
            new RegExp(
              `"\\$${holder.name}" -(eq|ne) 2\\b|case "\\$${holder.name}" in[\\s\\S]*?\\n\\s*2\\)|exit "\\$${holder.name}"`,
            ).test(runText);
          if (!handled)
            problems.push(
              `${file} jobs.${jobName}: the exit status kept in ${name} reaches ${holder.shell ? "$" : "output "}${holder.name}, which is never compared with 2 (bad argument or file), so it reads as a finding`,
            );
        }
      }
    }
  }
  return problems;
}

/** Where an exit status kept in `name` ends up: shell variables or env names, or a step output nothing reads. */
function lastHolders(
  name: string,
  run: string,
  step: Step,
  steps: readonly Step[],
): { name: string; shell: boolean }[] {
  const holders: { name: string; shell: boolean }[] = [];
  const seen = new Set<string>();
  const follow = (v: string) => {
    if (seen.has(v)) return;
    seen.add(v);
    let passedOn = false;
    // Copies to other variables: `diff=$status`.
    for (const [, to] of run.matchAll(new RegExp(`(?<![\\w"])(\\w+)=\\$\\{?${v}\\}?(?!\\w)`, "g")))
      if (to !== v) {
        passedOn = true;
        follow(to!);
      }
    // Step outputs: `echo "x=$v"` (or `echo "x=$?"` for the status itself) in a step writing $GITHUB_OUTPUT.
    const outputs = run.includes("GITHUB_OUTPUT")
      ? [...run.matchAll(new RegExp(`echo "(\\w+)=\\$(?:\\{?${v}\\}?|\\?)"`, "g"))].map((m) => m[1]!)
      : [];
    for (const output of v === name ? outputs : outputs.filter((o) => o !== undefined)) {
      if (v !== name && !run.includes(`echo "${output}=$${v}"`)) continue;
      passedOn = true;
      const readers = steps.flatMap((later) =>
        Object.entries(later.env ?? {})
          .filter(
            ([, value]) => step.id !== undefined && value.includes(`steps.${step.id}.outputs.${output}`),
          )
          .map(([key]) => key),
      );
      if (readers.length === 0) holders.push({ name: output, shell: false });
      for (const reader of readers) holders.push({ name: reader, shell: true });
    }
    if (!passedOn) holders.push({ name: v, shell: true });
  };
  follow(name);
  return holders;
}

// ---------------------------------------------------------------------------------------------------------
// Pull request comments

/** The hidden marker that identifies the cost-diff workflow's one comment on a pull request. */
export const COST_DIFF_MARKER = "<!-- agentops:cost-diff -->";

/**
 * The sticky-comment contract: no workflow edits "the last comment" (`--edit-last` edits the last comment of
 * that identity, maybe another workflow's); the comment body starts with the marker; the poster lists the
 * pull request's comments, selects its own by the marker and PATCHes it, and POSTs only when there is none.
 */
export function stickyCommentProblems(workflows: ReadonlyMap<string, Workflow>, marker: string): string[] {
  const problems: string[] = [];
  let writesMarker = false;
  let poster: string | undefined;
  for (const [file, wf] of workflows) {
    for (const [jobName, job] of Object.entries(wf.jobs)) {
      for (const step of job.steps ?? []) {
        const run = step.run ?? "";
        if (/gh pr comment\b[^\n]*--edit-last/.test(run))
          problems.push(
            `${file} jobs.${jobName}: gh pr comment --edit-last edits the last comment of the token's identity, which may be another workflow's`,
          );
        if (run.includes(`echo "${marker}"`)) writesMarker = true;
        const usesMarker = Object.values(step.env ?? {}).includes(marker);
        const lists = /gh api --paginate "repos\/\$REPO\/issues\/\$pr\/comments"/.test(run);
        const selects = /startswith\(\$ENV\.MARKER\)/.test(run);
        const patches = /gh api --method PATCH "repos\/\$REPO\/issues\/comments\/\$id"/.test(run);
        const posts = /gh api --method POST "repos\/\$REPO\/issues\/\$pr\/comments"/.test(run);
        if (usesMarker && lists && selects && patches && posts) poster = `${file} jobs.${jobName}`;
      }
    }
  }
  if (!writesMarker) problems.push(`no workflow starts its comment body with ${marker}`);
  if (poster === undefined)
    problems.push(
      `no workflow lists the pull request's comments, selects the one with ${marker}, PATCHes it and POSTs only when there is none`,
    );
  return problems;
}

/**
 * Workflows that run with a write token on pull requests from forks (`pull_request_target`, `workflow_run`)
 * must not check out or run the pull request's code
 * (https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/).
 */
export function privilegedTriggerProblems(file: string, wf: Workflow): string[] {
  const on = wf.on;
  const events = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  const privileged = events.filter((e) => e === "pull_request_target" || e === "workflow_run");
  if (privileged.length === 0) return [];
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      if (step.uses?.startsWith("actions/checkout@"))
        problems.push(`${file} jobs.${jobName}: checks out code on ${privileged.join(", ")}`);
      if (/\bnpm (ci|install|run|test)\b|\bnpx\b/.test(step.run ?? ""))
        problems.push(`${file} jobs.${jobName}: runs project code on ${privileged.join(", ")}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Values read from files

/**
 * `jq -r '<path>'` reads inside a shell loop over resources selected from a synth output
 * (`jq -c '.[] | select(.type == "<type>")' "out/$STACK/resources.json" | while read -r <var>`), evaluated on
 * the real resources of that type: each read without a `//` fallback must be a non-null value for every one.
 * `resources` are the entries of `out/<stack>/resources.json`.
 */
export function resourceReadProblems(
  file: string,
  wf: Workflow,
  resources: readonly { type: string; name: string; inputs: Record<string, unknown> }[],
): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      const run = step.run ?? "";
      const loop = /select\(\.type == "([^"]+)"\)'[^|\n]*resources\.json"?\s*\|\s*while read -r (\w+)/.exec(
        run,
      );
      if (!loop) continue;
      const [, type, variable] = loop as unknown as [string, string, string];
      const selected = resources.filter((r) => r.type === type);
      for (const [, filter] of run.matchAll(new RegExp(`jq -r '([^']+)' <<<"\\$${variable}"`, "g"))) {
        if (filter!.includes("//")) continue;
        const pathKeys = /^(\.[\w]+)+$/.test(filter!) ? filter!.split(".").slice(1) : undefined;
        if (!pathKeys) {
          problems.push(`${file} jobs.${jobName}: jq ${filter} — only plain paths can be checked`);
          continue;
        }
        for (const r of selected) {
          let value: unknown = r;
          for (const k of pathKeys)
            value =
              value !== null && typeof value === "object" ? (value as Record<string, unknown>)[k] : undefined;
          if (value === undefined || value === null)
            problems.push(`${file} jobs.${jobName}: jq -r '${filter}' is null for ${type} ${r.name}`);
        }
      }
    }
  }
  return problems;
}

/**
 * Every `fromJSON(needs.<job>.outputs.<output>)[<stack>].<field>` in a workflow, as `[where, field]`: the
 * fields it reads from `npm run ci:stacks` output.
 */
export function ciStackFieldReads(file: string, wf: Workflow): [string, string][] {
  const reads: [string, string][] = [];
  const text = JSON.stringify(wf.jobs);
  for (const [, field] of text.matchAll(/fromJSON\(needs\.\w+\.outputs\.stacks\)\[[^\]]+\]\.(\w+)/g))
    reads.push([file, field!]);
  return reads;
}

/** Each field a workflow reads must be set (non-null) for each stack it runs on. */
export function ciStackReadProblems(
  reads: readonly [string, string][],
  stacks: Readonly<Record<string, Record<string, unknown>>>,
): string[] {
  const problems: string[] = [];
  for (const [where, field] of reads)
    for (const [stack, values] of Object.entries(stacks))
      if (values[field] === null || values[field] === undefined)
        problems.push(`${where} reads ${field} of ${stack}, which npm run ci:stacks gives as null`);
  return problems;
}

/**
 * `workflow_run.workflows` lists workflows by their `name:`; a name no workflow has never triggers anything
 * (https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#workflow_run).
 */
export function workflowRunNameProblems(workflows: ReadonlyMap<string, Workflow>): string[] {
  const names = new Set([...workflows.values()].map((wf) => wf.name));
  const problems: string[] = [];
  for (const [file, wf] of workflows) {
    const on = wf.on as { workflow_run?: { workflows?: string[] } } | undefined;
    for (const name of on?.workflow_run?.workflows ?? [])
      if (!names.has(name)) problems.push(`${file}: workflow_run names ${name}, which no workflow is called`);
  }
  return problems;
}
