/**
 * The change report: what `pulumi up` would do to go from one synthesized stack (`out/<stack>/resources.json`)
 * to another — which resources are created, deleted, updated (which fields) or replaced — and which changes
 * Kubernetes refuses in place, which force a replacement, and which lose data or identity.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseQuantity } from "@agentops/components/model";
import {
  dataAtRisk,
  FORCE_NEW,
  LAUNCH_TEMPLATE_VERSION_PROPERTIES,
  NODE_ROLL,
  KUBERNETES_MUTABLE_SPEC,
  KUBERNETES_RULES,
  MUTABLE_DATA_FLAGS,
  MUTABLE_DATA_SOURCE,
  type RuleEffect,
} from "./rules";

/** One entry of `resources.json` (see README, `out/<stack>/`); the fields after `inputs` are optional. */
export interface ResourceRecord {
  urn: string;
  /** Pulumi type token. */
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string | null;
  /** `false` for components, which the report leaves out: they hold no state of their own. */
  custom?: boolean;
  protect?: boolean;
  dependsOn?: string[];
  /** `<provider urn>::<id>`. */
  provider?: string | null;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
}

export type ChangeAction = "create" | "update" | "replace" | "delete";

/** A changed field that cannot be updated in place. */
export interface FieldFinding {
  path: string;
  /** `replace`: the resource is replaced; `refused`: the update is sent and fails. */
  effect: RuleEffect;
  reason: string;
  source: string;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** `StatefulSet governance/security-agent`, `NodeGroup agentops-system`. */
  label: string;
  action: ChangeAction;
  /** Changed input paths (update and replace), sorted. */
  paths: string[];
  /** The changed fields that force a replacement or that the API server refuses. */
  findings: FieldFinding[];
  /** Changed paths Pulumi leaves alone (`ignoreChanges`), with what to do instead when known. */
  ignored: string[];
  notes: string[];
  /** An update the API server refuses: `pulumi up` fails on it. */
  refused: boolean;
  /** Why deleting or replacing this resource loses data or identity. */
  dangerous?: string;
  /** A node group whose nodes are all replaced by this change (in place or by a new group): how, and what it does to pods. */
  rolls?: string;
}

export interface ChangeReport {
  /** The stack, from the URNs. */
  stack: string | undefined;
  /** Every resource that changes (components excluded), most serious first. */
  changes: ResourceChange[];
  /** Resources whose only changes are ignored (`ignoreChanges`): nothing happens, but someone must act. */
  ignoredOnly: ResourceChange[];
  counts: Record<ChangeAction | "unchanged", number>;
  dangerous: number;
  refused: number;
  /** Node groups whose nodes are all replaced: every pod on them is evicted and restarted elsewhere. */
  rolling: number;
  /** 0 when everything applies in place; 1 when anything is replaced, refused or dangerous. */
  exitCode: 0 | 1;
}

/** A file or directory that cannot be read as a synth output: reported in one line, exit 2. */
export class ChangeReportInputError extends Error {
  override name = "ChangeReportInputError";
}

// --- property paths ------------------------------------------------------------------------------------

type Segment = string | number;

/** Pulumi's property path syntax: `a.b[0]["app.kubernetes.io/name"]`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Parses a property path (`*` matches any key or index). */
export function parsePath(text: string): Segment[] {
  const segments: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+|\*|"(?:[^"\\]|\\.)*")\]/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] === "*") segments.push("*");
    else if (m[2]!.startsWith('"')) segments.push(JSON.parse(m[2]!) as string);
    else segments.push(Number(m[2]));
  }
  return segments;
}

/** Whether `rule` is `changed` or one of its ancestors. */
function covers(rule: readonly Segment[], changed: readonly Segment[]): boolean {
  return rule.length <= changed.length && rule.every((s, i) => s === "*" || s === changed[i]);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The leaf paths where `a` and `b` differ; arrays compare element by element. */
export function changedPaths(a: unknown, b: unknown, at: Segment[] = [], out: Segment[][] = []): Segment[][] {
  if (isDeepStrictEqual(a, b)) return out;
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      changedPaths(a[key], b[key], [...at, key], out);
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) changedPaths(a[i], b[i], [...at, i], out);
  } else {
    out.push(at);
  }
  return out;
}

// --- classification --------------------------------------------------------------------------------------

const get = (obj: unknown, segments: readonly Segment[]): unknown =>
  segments.reduce<unknown>(
    (v, s) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined),
    obj,
  );

/** `Kind` of a Kubernetes object resource (not a Helm release, not a provider). */
function kubernetesKind(r: ResourceRecord): string | undefined {
  if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/")) return undefined;
  return typeof r.inputs.kind === "string" ? r.inputs.kind : r.type.split(":").at(-1);
}

function labelOf(r: ResourceRecord): string {
  const kind = kubernetesKind(r);
  if (kind) {
    const meta = (r.inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const name = typeof meta.name === "string" ? meta.name : r.name;
    return typeof meta.namespace === "string" ? `${kind} ${meta.namespace}/${name}` : `${kind} ${name}`;
  }
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    return `Release ${String(r.inputs.namespace ?? "default")}/${String(r.inputs.name ?? r.name)}`;
  }
  return `${r.type.split(":").at(-1)} ${r.name}`;
}

class Index {
  private readonly byUrn: Map<string, ResourceRecord>;
  constructor(readonly resources: readonly ResourceRecord[]) {
    this.byUrn = new Map(resources.map((r) => [r.urn, r]));
  }

  /** The inputs of the provider a resource is registered with. */
  providerInputs(r: ResourceRecord): Record<string, unknown> | undefined {
    if (!r.provider) return undefined;
    return this.byUrn.get(r.provider.split("::").slice(0, -1).join("::"))?.inputs;
  }

  /** The StorageClass a claim uses: named, or the one annotated as the default. */
  storageClass(claimSpec: Record<string, unknown>): ResourceRecord | undefined {
    const classes = this.resources.filter((r) => kubernetesKind(r) === "StorageClass");
    const name = claimSpec.storageClassName;
    if (typeof name === "string") return classes.find((c) => get(c.inputs, ["metadata", "name"]) === name);
    return classes.find(
      (c) =>
        get(c.inputs, ["metadata", "annotations", "storageclass.kubernetes.io/is-default-class"]) === "true",
    );
  }
}

const truthy = (v: unknown) => v === true || v === "true";

/** Findings and notes for one changed path of a Kubernetes object. */
function kubernetesFinding(
  kind: string,
  p: Segment[],
  base: ResourceRecord,
  head: ResourceRecord,
  index: Index,
  notes: string[],
): FieldFinding | undefined {
  const text = formatPath(p);
  const rule = KUBERNETES_RULES.find(
    (r) => (r.kind === "*" || r.kind === kind) && covers(parsePath(r.path), p),
  );
  if (rule) return { path: text, effect: rule.effect, reason: rule.reason, source: rule.source };

  const data = MUTABLE_DATA_FLAGS[kind];
  if (data && data.paths.some((d) => covers([d], p))) {
    const mutable = truthy(index.providerInputs(head)?.[data.flag]) && !truthy(head.inputs.immutable);
    return mutable
      ? undefined
      : {
          path: text,
          effect: "replace",
          reason: `the provider replaces a ${kind} whose data changes unless it runs with ${data.flag}`,
          source: MUTABLE_DATA_SOURCE,
        };
  }

  if (kind === "PersistentVolumeClaim" && text === "spec.resources.requests.storage") {
    const [from, to] = [get(base.inputs, p), get(head.inputs, p)].map(String) as [string, string];
    const [a, b] = [parseQuantity(from), parseQuantity(to)];
    if (a !== undefined && b !== undefined && b < a) {
      return {
        path: text,
        effect: "refused",
        reason: `a claim cannot shrink (${from} → ${to})`,
        source: KUBERNETES_MUTABLE_SPEC.PersistentVolumeClaim!.source,
      };
    }
    const sc = index.storageClass((head.inputs.spec ?? {}) as Record<string, unknown>);
    const scName = sc ? String(get(sc.inputs, ["metadata", "name"])) : undefined;
    if (sc && !truthy(sc.inputs.allowVolumeExpansion)) {
      return {
        path: text,
        effect: "refused",
        reason: `StorageClass ${scName} does not allow volume expansion (${from} → ${to})`,
        source: KUBERNETES_MUTABLE_SPEC.PersistentVolumeClaim!.source,
      };
    }
    notes.push(
      sc
        ? `volume expansion ${from} → ${to} in place (StorageClass ${scName} allows it)`
        : `volume expansion ${from} → ${to}: its StorageClass (not in this stack) must allow volume expansion`,
    );
    return undefined;
  }

  const mutableSpec = KUBERNETES_MUTABLE_SPEC[kind];
  if (mutableSpec && p[0] === "spec" && !mutableSpec.fields.some((f) => covers(parsePath(f), p.slice(1)))) {
    return {
      path: text,
      effect: "refused",
      reason: `the API server refuses changes to ${kind} spec.${String(p[1])}`,
      source: mutableSpec.source,
    };
  }
  return undefined;
}

/** Notes for paths that `ignoreChanges` keeps: what to do by hand. */
function ignoredNote(head: ResourceRecord, p: Segment[], base: ResourceRecord): string {
  const text = formatPath(p);
  const [from, to] = [get(base.inputs, p), get(head.inputs, p)].map((v) => JSON.stringify(v));
  if (
    kubernetesKind(head) === "StatefulSet" &&
    covers(parsePath("spec.volumeClaimTemplates[*].spec.resources"), p)
  ) {
    const template = String(get(head.inputs, [...p.slice(0, 3), "metadata", "name"]));
    const sts = String(get(head.inputs, ["metadata", "name"]));
    const ns = String(get(head.inputs, ["metadata", "namespace"]));
    return `${text} ${from} → ${to} is not applied (ignoreChanges): grow each claim ${template}-${sts}-<ordinal> in ${ns} with kubectl patch (README, "Growing an agent's storage")`;
  }
  if (head.type === "kubernetes:helm.sh/v3:Release" && p.at(-1) === "size") {
    return `${text} ${from} → ${to} is not applied (ignoreChanges): the chart puts it in a StatefulSet's claim templates; grow the release's claims in ${String(head.inputs.namespace)} with kubectl patch (README, "Growing an agent's storage")`;
  }
  return `${text} ${from} → ${to} is not applied (ignoreChanges)`;
}

function classify(base: ResourceRecord, head: ResourceRecord, index: Index): ResourceChange {
  const all = changedPaths(base.inputs, head.inputs);
  const ignore = (head.ignoreChanges ?? []).map(parsePath);
  const replaceOn = (head.replaceOnChanges ?? []).map(parsePath);
  const applied = all.filter((p) => !ignore.some((i) => covers(i, p)));
  const ignored = all.filter((p) => ignore.some((i) => covers(i, p))).map((p) => ignoredNote(head, p, base));
  const kind = kubernetesKind(head);
  const notes: string[] = [];
  const findings: FieldFinding[] = [];
  for (const p of applied) {
    const text = formatPath(p);
    let finding: FieldFinding | undefined;
    if (replaceOn.some((r) => covers(r, p))) {
      finding = {
        path: text,
        effect: "replace",
        reason: "the program replaces the resource when this changes (replaceOnChanges)",
        source: "the resource's replaceOnChanges option",
      };
    } else if (kind) {
      finding = kubernetesFinding(kind, p, base, head, index, notes);
    } else {
      const entry = FORCE_NEW[head.type];
      const property = entry?.properties.find((prop) => covers(parsePath(prop), p));
      if (entry && property) {
        finding = {
          path: text,
          effect: "replace",
          reason: `${property} forces a new resource`,
          source: entry.source,
        };
      }
    }
    if (finding) findings.push(finding);
  }
  const action: ChangeAction = findings.some((f) => f.effect === "replace") ? "replace" : "update";
  return {
    ...identity(head),
    action,
    paths: applied.map(formatPath),
    findings,
    ignored,
    notes,
    refused: action === "update" && findings.some((f) => f.effect === "refused"),
    ...danger(action, base),
  };
}

function identity(r: ResourceRecord) {
  return { urn: r.urn, type: r.type, name: r.name, label: labelOf(r) };
}

function danger(action: ChangeAction, before: ResourceRecord): { dangerous?: string } {
  if (action !== "delete" && action !== "replace") return {};
  const risk = dataAtRisk(before.type, before.inputs);
  const protectedNote = before.protect
    ? "protected: pulumi up stops here until protect is lifted"
    : undefined;
  const reasons = [risk, protectedNote].filter((x): x is string => x !== undefined);
  return reasons.length > 0 ? { dangerous: reasons.join("; ") } : {};
}

/**
 * What a claim created from a snapshot (`spec.dataSourceRef`) restores, and what keeps running: the StatefulSet
 * whose claim template makes a claim of this name adopts it when the pod of that ordinal is recreated (the claim
 * it has now must go first), and the workloads that mount it by name use it from their next pod on.
 */
function restoreNote(r: ResourceRecord, index: Index): string | undefined {
  if (kubernetesKind(r) !== "PersistentVolumeClaim") return undefined;
  const source = get(r.inputs, ["spec", "dataSourceRef"]) as { kind?: unknown; name?: unknown } | undefined;
  if (!source) return undefined;
  const claim = String(get(r.inputs, ["metadata", "name"]));
  const ns = String(get(r.inputs, ["metadata", "namespace"]));
  const from = `restore: created from ${String(source.kind)} ${ns}/${String(source.name)}`;
  const inNs = index.resources.filter((x) => get(x.inputs, ["metadata", "namespace"]) === ns);
  for (const sts of inNs.filter((x) => kubernetesKind(x) === "StatefulSet")) {
    const name = String(get(sts.inputs, ["metadata", "name"]));
    const templates = (get(sts.inputs, ["spec", "volumeClaimTemplates"]) ?? []) as unknown[];
    for (const t of templates) {
      const m = new RegExp(`^${String(get(t, ["metadata", "name"]))}-${name}-(\\d+)$`).exec(claim);
      if (m) {
        return `${from}; StatefulSet ${ns}/${name} keeps running and adopts it when pod ${name}-${m[1]} is recreated: scale it to 0 and delete the claim it has now before pulumi up (README, Restoring an agent volume)`;
      }
    }
  }
  const users = inNs.filter((x) => {
    const kind = kubernetesKind(x);
    const spec =
      kind === "CronJob" ? ["spec", "jobTemplate", "spec", "template", "spec"] : ["spec", "template", "spec"];
    const volumes = (get(x.inputs, [...spec, "volumes"]) ?? []) as unknown[];
    return volumes.some((v) => get(v, ["persistentVolumeClaim", "claimName"]) === claim);
  });
  return users.length > 0
    ? `${from}; ${users.map((u) => labelOf(u)).join(", ")} keep${users.length === 1 ? "s" : ""} running and mount${users.length === 1 ? "s" : ""} it from the next pod on; the old claim goes once no pod uses it (README, Restoring an agent volume)`
    : from;
}

const ORDER: Record<ChangeAction, number> = { replace: 0, delete: 1, update: 2, create: 3 };

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** The launch template a node group runs: its explicit dependency, else the template whose id it names. */
function launchTemplateOf(
  nodeGroup: ResourceRecord,
  templates: readonly ResourceRecord[],
): ResourceRecord | undefined {
  const id = get(nodeGroup.inputs, ["launchTemplate", "id"]);
  const name = get(nodeGroup.inputs, ["launchTemplate", "name"]);
  return (
    templates.find((t) => (nodeGroup.dependsOn ?? []).includes(t.urn)) ??
    templates.find(
      (t) => id === `${t.name}-mock-id` || (typeof name === "string" && get(t.inputs, ["name"]) === name),
    )
  );
}

/** What rolling a node group does to its pods, with its own `updateConfig`. */
function rollNote(nodeGroup: ResourceRecord, why: string, how: "update" | "replace"): string {
  const pct = get(nodeGroup.inputs, ["updateConfig", "maxUnavailablePercentage"]);
  const count = get(nodeGroup.inputs, ["updateConfig", "maxUnavailable"]);
  const batch =
    typeof pct === "number"
      ? `${pct} % of the group`
      : typeof count === "number"
        ? `${count} node(s)`
        : "one node";
  const nodes =
    how === "update"
      ? `rolls every node of the group (${why}): EKS starts new nodes, then cordons and drains the old ones, ${batch} at a time`
      : `replaces every node (${why}): the new group comes up, then EKS drains and deletes every node of the old one`;
  return `${nodes}; every pod on them is evicted (PodDisruptionBudgets respected; a node whose pods cannot leave within 15 minutes fails the update) and restarts on a new node: scratch data in emptyDir volumes (/tmp) is lost, and a pod with an EBS volume restarts only in its volume's zone [${NODE_ROLL.source}]`;
}

/**
 * Node groups whose every node this change replaces, marked on their change (added as an update when nothing
 * else of theirs changes): a new version of the launch template they run (under mocks its version is the same
 * placeholder on both sides, so the template's own change says it), a changed `version`, `releaseVersion` or
 * `launchTemplate.version`, or the group's own replacement.
 */
function markNodeRolls(
  changes: ResourceChange[],
  base: ReadonlyMap<string, ResourceRecord>,
  head: readonly ResourceRecord[],
): number {
  const templates = head.filter((r) => r.type === LAUNCH_TEMPLATE);
  const versioned = new Map<string, string[]>();
  for (const c of changes) {
    if (c.type !== LAUNCH_TEMPLATE || (c.action !== "update" && c.action !== "replace")) continue;
    const props = c.paths.filter((p) =>
      LAUNCH_TEMPLATE_VERSION_PROPERTIES.properties.some((prop) => covers([prop], parsePath(p))),
    );
    if (c.action === "replace" || props.length > 0) versioned.set(c.urn, props);
  }
  let unchangedRolled = 0;
  for (const ng of head.filter((r) => r.type === NODE_GROUP)) {
    const lt = launchTemplateOf(ng, templates);
    const ltProps = lt ? versioned.get(lt.urn) : undefined;
    let change = changes.find((c) => c.urn === ng.urn);
    if (change?.action === "create" || change?.action === "delete") continue;
    if (change?.action === "replace") {
      change.rolls = rollNote(ng, "a new node group replaces it", "replace");
      continue;
    }
    const own =
      change?.paths.filter((p) =>
        NODE_ROLL.nodeGroupProperties.some((prop) => covers(parsePath(prop), parsePath(p))),
      ) ?? [];
    if (ltProps === undefined && own.length === 0) continue;
    if (!change) {
      if (!base.has(ng.urn)) continue;
      change = {
        ...identity(ng),
        action: "update",
        paths: [],
        findings: [],
        ignored: [],
        notes: [],
        refused: false,
      };
      changes.push(change);
      unchangedRolled++;
    }
    const why =
      ltProps !== undefined && lt
        ? `a new version of launch template ${lt.name}${ltProps.length > 0 ? ` (${ltProps.join(", ")})` : ""}`
        : own.join(", ");
    if (ltProps !== undefined && !change.paths.includes("launchTemplate.version")) {
      change.paths = [...change.paths, "launchTemplate.version"].sort();
    }
    change.rolls = rollNote(ng, why, "update");
  }
  return unchangedRolled;
}

/**
 * Notes where an agent moves between its HPA and KEDA (README, Scaling): the ScaledObject names its HPA like the
 * agent's and takes it over (`scaledobject.keda.sh/transfer-hpa-ownership`), so the HPA's deletion is harmless;
 * the other way, KEDA's HPA holds the name until the ScaledObject is gone, which Pulumi deletes after creating.
 */
function autoscalerHandOver(changes: ResourceChange[]): void {
  const of = (kind: string, action: ChangeAction) =>
    new Map(
      changes
        .filter((c) => c.action === action && c.label.startsWith(`${kind} `))
        .map((c) => [c.label.slice(kind.length + 1), c]),
    );
  const hpaDeleted = of("HorizontalPodAutoscaler", "delete");
  for (const [object] of of("ScaledObject", "create")) {
    hpaDeleted
      .get(object)
      ?.notes.push(
        "the new ScaledObject takes this HPA over (transfer-hpa-ownership) and KEDA re-creates it after this delete: seconds without autoscaling, no pod restarted",
      );
  }
  const hpaCreated = of("HorizontalPodAutoscaler", "create");
  for (const [object] of of("ScaledObject", "delete")) {
    const [namespace, name] = object.split("/");
    hpaCreated
      .get(object)
      ?.notes.push(
        `KEDA's HPA holds this name until the ScaledObject is deleted, after this create: first kubectl -n ${namespace} delete scaledobject ${name}`,
      );
  }
}

/**
 * Compares two synth outputs. Resources are matched by URN, as Pulumi does; components are left out.
 * Pure: reads nothing.
 */
export function changeReport(base: readonly ResourceRecord[], head: readonly ResourceRecord[]): ChangeReport {
  const custom = (rs: readonly ResourceRecord[]) => rs.filter((r) => r.custom !== false);
  const [b, h] = [custom(base), custom(head)];
  const baseByUrn = new Map(b.map((r) => [r.urn, r]));
  const headUrns = new Set(h.map((r) => r.urn));
  const index = new Index(head);
  const changes: ResourceChange[] = [];
  const ignoredOnly: ResourceChange[] = [];
  let unchanged = 0;
  for (const r of h) {
    const before = baseByUrn.get(r.urn);
    if (!before) {
      const restored = restoreNote(r, index);
      changes.push({
        ...identity(r),
        action: "create",
        paths: [],
        findings: [],
        ignored: [],
        notes: restored ? [restored] : [],
        refused: false,
      });
      continue;
    }
    const change = classify(before, r, index);
    if (change.paths.some((p) => p.startsWith("spec.dataSourceRef"))) {
      const restored = restoreNote(r, index);
      if (restored) change.notes.push(restored);
    }
    if (change.paths.length > 0) changes.push(change);
    else {
      unchanged++;
      if (change.ignored.length > 0) ignoredOnly.push(change);
    }
  }
  unchanged -= markNodeRolls(changes, baseByUrn, h);
  for (const r of b) {
    if (headUrns.has(r.urn)) continue;
    changes.push({
      ...identity(r),
      action: "delete",
      paths: [],
      findings: [],
      ignored: [],
      notes: [],
      refused: false,
      ...danger("delete", r),
    });
  }
  autoscalerHandOver(changes);
  changes.sort(
    (x, y) =>
      Number(!x.dangerous) - Number(!y.dangerous) ||
      ORDER[x.action] - ORDER[y.action] ||
      x.label.localeCompare(y.label) ||
      x.urn.localeCompare(y.urn),
  );
  const count = (a: ChangeAction) => changes.filter((c) => c.action === a).length;
  const counts = {
    create: count("create"),
    update: count("update"),
    replace: count("replace"),
    delete: count("delete"),
    unchanged,
  };
  const dangerous = changes.filter((c) => c.dangerous).length;
  const refused = changes.filter((c) => c.refused).length;
  const rolling = changes.filter((c) => c.rolls).length;
  const stack = /^urn:pulumi:([^:]+)::/.exec(h[0]?.urn ?? b[0]?.urn ?? "")?.[1];
  return {
    stack,
    changes,
    ignoredOnly,
    counts,
    dangerous,
    refused,
    rolling,
    exitCode: dangerous > 0 || refused > 0 || counts.replace > 0 ? 1 : 0,
  };
}

// --- input -------------------------------------------------------------------------------------------------

/**
 * Reads `<dir>/resources.json` of a synth output.
 * @throws ChangeReportInputError naming `label` (`base`, `head`), the path and what is wrong.
 */
export function readSynthResources(dir: string, label: string): ResourceRecord[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ChangeReportInputError(
      `${label}: ${dir} — no such directory (a synth output: npm run synth -- <stack> --out <dir>)`,
    );
  }
  const file = path.join(dir, "resources.json");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ChangeReportInputError(
      `${label}: ${file} — ${code === "ENOENT" ? "not found (npm run synth writes it)" : `unreadable (${code ?? (err as Error).message})`}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ChangeReportInputError(`${label}: ${file} — not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(doc)) {
    throw new ChangeReportInputError(
      `${label}: ${file} — must be a JSON array of resources, got ${typeof doc}`,
    );
  }
  doc.forEach((r: unknown, i) => {
    const bad = (what: string) =>
      new ChangeReportInputError(
        `${label}: ${file} — [${i}]${what}: every resource needs urn, type and name (strings) and inputs (an object)`,
      );
    if (!isObject(r)) throw bad(" is not an object");
    for (const key of ["urn", "type", "name"]) {
      if (typeof r[key] !== "string") throw bad(`.${key}: ${JSON.stringify(r[key]) ?? "(missing)"}`);
    }
    if (!isObject(r.inputs)) throw bad(`.inputs: ${JSON.stringify(r.inputs) ?? "(missing)"}`);
  });
  return doc as ResourceRecord[];
}

// --- output ------------------------------------------------------------------------------------------------

export type ChangeReportFormat = "text" | "markdown";

function summaryLine(r: ChangeReport): string {
  const c = r.counts;
  const rolls =
    r.rolling > 0 ? `; ${r.rolling} node group${r.rolling === 1 ? " rolls its" : "s roll their"} nodes` : "";
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.unchanged} unchanged${rolls}`;
}

function verdict(r: ChangeReport): string {
  if (r.exitCode === 0) return "every change applies in place";
  return `${r.dangerous} dangerous, ${r.refused} refused by the API server, ${r.counts.replace} replaced: read before merging`;
}

function findingText(f: FieldFinding): string {
  return `${f.effect === "replace" ? "forces replacement" : "REFUSED"}: ${f.reason}`;
}

function textReport(r: ChangeReport): string {
  const lines = [`Change report${r.stack ? ` for stack ${r.stack}` : ""}: ${summaryLine(r)}`, verdict(r)];
  for (const c of r.changes) {
    const tag = c.dangerous ? "DANGER " : c.refused ? "REFUSED" : c.rolls ? "ROLLS  " : "       ";
    lines.push("", `${tag} ${c.action.padEnd(7)} ${c.label}  (${c.type} ${c.name})`);
    if (c.dangerous) lines.push(`          ! ${c.dangerous}`);
    if (c.rolls) lines.push(`          ! ${c.rolls}`);
    for (const p of c.paths) {
      const f = c.findings.find((x) => x.path === p);
      lines.push(`          ${p}${f ? `  — ${findingText(f)} [${f.source}]` : ""}`);
    }
    for (const n of [...c.notes, ...c.ignored]) lines.push(`          note: ${n}`);
  }
  for (const c of r.ignoredOnly) {
    lines.push("", `        ignored ${c.label}  (${c.type} ${c.name})`);
    for (const n of c.ignored) lines.push(`          note: ${n}`);
  }
  return lines.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
/** Markdown rows show this many paths; the rest are counted. */
const MARKDOWN_PATHS = 8;

function markdownReport(r: ChangeReport): string {
  const lines = [
    `### Infrastructure changes${r.stack ? ` (${r.stack})` : ""}`,
    "",
    `**${summaryLine(r)}** — ${r.exitCode === 0 ? "✅" : "⚠️"} ${verdict(r)}`,
  ];
  const rows = [...r.changes, ...r.ignoredOnly.map((c) => ({ ...c, action: "ignored" as const }))];
  if (rows.length === 0) return lines.join("\n");
  lines.push("", "| | action | resource | changed fields | notes |", "|---|---|---|---|---|");
  for (const c of rows) {
    const flag = c.dangerous ? "🛑" : c.refused ? "⛔" : c.action === "replace" ? "⚠️" : c.rolls ? "🔄" : "";
    const shown = c.paths.slice(0, MARKDOWN_PATHS).map((p) => {
      const f = c.findings.find((x) => x.path === p);
      return f ? `${code(p)} (${f.effect === "replace" ? "replaces" : "refused"})` : code(p);
    });
    if (c.paths.length > MARKDOWN_PATHS) shown.push(`… ${c.paths.length - MARKDOWN_PATHS} more`);
    const notes = [
      ...(c.dangerous ? [`**${c.dangerous}**`] : []),
      ...(c.rolls ? [`**${c.rolls}**`] : []),
      ...[...new Set(c.findings.map((f) => f.reason))],
      ...c.notes,
      ...c.ignored,
    ];
    lines.push(
      `| ${flag} | ${c.action === "replace" || c.action === "delete" ? `**${c.action}**` : c.action} | ${cell(code(c.label))} | ${cell(shown.join("<br>"))} | ${cell(notes.join("<br>"))} |`,
    );
  }
  return lines.join("\n");
}

/** The report as plain text (terminal) or Markdown (the pull request comment); deterministic. */
export function formatChangeReport(report: ChangeReport, format: ChangeReportFormat): string {
  return format === "markdown" ? markdownReport(report) : textReport(report);
}
