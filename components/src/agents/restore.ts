/**
 * Restore as configuration: an agent's `storage.restoreFrom` resolved to the VolumeSnapshot its claim is created
 * from (`dataSourceRef`), and the objects that make an EBS snapshot id usable as one. Pure builders.
 *
 * - `snapshot: <name>`: a VolumeSnapshot of that name in the agent's namespace (an ad-hoc snapshot, or one of
 *   the in-cluster schedule's, `<claim>-<minutes>`).
 * - `snapshot: snap-…`: an EBS snapshot (AWS Backup's recovery points of EBS volumes are plain EBS snapshots):
 *   a pre-provisioned VolumeSnapshotContent with that handle (deletionPolicy Retain: AWS Backup owns the
 *   snapshot and its retention) bound to a VolumeSnapshot `restore-<claim>-<snap id>`.
 * - `pointInTime`: the newest slot of the in-cluster schedule at or before it; the schedule names its snapshots
 *   after the scheduled minute (the CronJob controller names each Job `<cronjob>-<minutes since the epoch>` and
 *   the snapshot job reuses that number), so the name follows from the schedule alone.
 */
import { hasJob, hasService, type AgentConfig } from "../config/agents";
import { newestFiringAtOrBefore } from "../lib/cron";
import { agentObjectNames } from "./names";
import type { AgentRestore } from "./objects";

/** The claims of an agent a restore may target, the default first: `data-<agent>-<ordinal>`, `<agent>-job-data`. */
export function restorableClaims(agent: AgentConfig): string[] {
  if (agent.storage === undefined) return [];
  const names = agentObjectNames(agent);
  const max = hasService(agent) ? Number(agent.replicas?.max) : 0;
  const service = Array.from(
    { length: Number.isInteger(max) && max > 0 ? max : 0 },
    (_, i) => `${names.claimTemplate}-${names.workload}-${i}`,
  );
  return [...service, ...(hasJob(agent) ? [names.jobClaim] : [])];
}

/** The claim a restore targets: its `claim`, else the agent's first claim. */
export function restoreTarget(agent: AgentConfig): string | undefined {
  const restore = agent.storage?.restoreFrom;
  if (!restore) return undefined;
  return restore.claim ?? restorableClaims(agent)[0];
}

/** The VolumeSnapshotClass and CSI driver the stack's snapshots use, and the in-cluster schedule if any. */
export interface AgentSnapshots {
  /** VolumeSnapshotClass name. */
  className: string;
  /** CSI driver of the class (`ebs.csi.aws.com` on EKS). */
  driver: string;
  /** The in-cluster snapshot schedule (UTC), when the stack takes scheduled VolumeSnapshots. @default none */
  schedule?: string;
}

/** A custom object as plain data. */
export interface SnapshotObject {
  apiVersion: "snapshot.storage.k8s.io/v1";
  kind: "VolumeSnapshot" | "VolumeSnapshotContent";
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The name the in-cluster schedule gives the snapshot of `claim` taken for the slot at `slot`. */
export function scheduledSnapshotName(claim: string, slot: Date): string {
  return `${claim}-${Math.floor(slot.getTime() / 60_000)}`;
}

const EBS_SNAPSHOT = /^snap-[0-9a-f]{8,17}$/;

/**
 * The restore of an agent and the objects it needs (none for a VolumeSnapshot name), or `undefined` without
 * `storage.restoreFrom`.
 * @throws Error when a point in time has no scheduled slot at or before it within a year, or the snapshots
 *   argument it needs is missing (configuration validation reports both first).
 */
export function agentRestore(
  agent: AgentConfig,
  namespace: string,
  snapshots: AgentSnapshots | undefined,
): { restore: AgentRestore; objects: SnapshotObject[] } | undefined {
  const from = agent.storage?.restoreFrom;
  const claim = restoreTarget(agent);
  if (!from || !claim) return undefined;
  const ref = (name: string): AgentRestore => ({
    claim,
    snapshot: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name },
  });
  if (from.pointInTime !== undefined) {
    const slot =
      snapshots?.schedule && newestFiringAtOrBefore(snapshots.schedule, new Date(from.pointInTime));
    if (!slot) {
      throw new Error(
        `agent ${agent.name}: storage.restoreFrom.pointInTime ${from.pointInTime} — no scheduled snapshot slot at or before it`,
      );
    }
    return { restore: ref(scheduledSnapshotName(claim, slot)), objects: [] };
  }
  const snapshot = from.snapshot!;
  if (!EBS_SNAPSHOT.test(snapshot)) return { restore: ref(snapshot), objects: [] };
  if (!snapshots) throw new Error(`agent ${agent.name}: restoring ${snapshot} needs a VolumeSnapshotClass`);
  const name = `restore-${claim}-${snapshot}`;
  const labels = {
    "app.kubernetes.io/part-of": "agentops",
    "app.kubernetes.io/instance": agent.name,
    "agentops.io/agent": agent.name,
  };
  return {
    restore: ref(name),
    objects: [
      {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshotContent",
        metadata: { name, labels },
        spec: {
          // AWS Backup owns the recovery point: removing the restore must not delete it.
          deletionPolicy: "Retain",
          driver: snapshots.driver,
          source: { snapshotHandle: snapshot },
          volumeSnapshotClassName: snapshots.className,
          volumeSnapshotRef: { name, namespace },
        },
      },
      {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshot",
        metadata: { name, namespace, labels },
        spec: {
          source: { volumeSnapshotContentName: name },
          volumeSnapshotClassName: snapshots.className,
        },
      },
    ],
  };
}
