/**
 * The scheduler's check of the capacity plan: after the stack is applied, every workload's pods at minimum
 * replicas must be created (not refused by ResourceQuota, PodSecurity or any other admission), bound to a node by
 * kube-scheduler, and Ready (kwok marks pods on its nodes Ready; it completes Job pods).
 *
 * Minimum replicas: a Deployment's or StatefulSet's `spec.replicas` (1 when unset), or its
 * HorizontalPodAutoscaler's `minReplicas` when that is more (the HPA controller scales up to it without
 * metrics); a DaemonSet's `desiredNumberScheduled`; a Job's one run (`completions`, 1 when unset). A CronJob
 * has no pods until its schedule comes, so verify starts one run of each (as `kubectl create job --from=cronjob/
 * <name>`): the capacity plan counts one run of each, and only a run shows whether its pods are admitted.
 */
import { describeObject, sleep, type KubeClient, type KubeObject } from "../kube/client";

/** A problem the check found, with the API server's or the scheduler's own words. */
export interface ScheduleProblem {
  /** `<Kind> <namespace>/<name>` of the workload or pod. */
  object: string;
  message: string;
}

export interface ScheduleReport {
  /** Workloads checked and pods bound at the end. */
  workloads: number;
  podsBound: number;
  /** Pods still Pending, with the scheduler's reason (condition PodScheduled). */
  pending: ScheduleProblem[];
  /** Pods a controller could not create (events FailedCreate: quota, PodSecurity, …). */
  refusedPods: ScheduleProblem[];
  /** Workloads short of their minimum for another reason (or none given). */
  short: ScheduleProblem[];
  /**
   * Claims whose StorageClass does not exist (or that name none where no class is the default): kwok's volume
   * stage here binds any claim, a real cluster would leave it Pending and its pod unscheduled.
   */
  noStorageClass: ScheduleProblem[];
  seconds: number;
}

type Obj = KubeObject & {
  metadata: KubeObject["metadata"] & {
    generation?: number;
    uid?: string;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const num = (v: unknown, fallback = 0) => (typeof v === "number" ? v : fallback);

/** The Job of one run of a CronJob, named `<cronjob>-verify` (a CronJob name is at most 52 characters). Pure. */
export function jobFromCronJob(cronJob: KubeObject): KubeObject {
  const template = (cronJob.spec as { jobTemplate: { metadata?: KubeObject["metadata"]; spec: unknown } })
    .jobTemplate;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      ...(template.metadata ?? {}),
      name: `${cronJob.metadata.name}-verify`,
      namespace: cronJob.metadata.namespace,
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        "cronjob.kubernetes.io/instantiate": "manual",
      },
    },
    spec: template.spec,
  };
}

/** A workload's minimum pods and how many are ready. Pure. */
export function progress(
  w: Obj,
  hpaMin: ReadonlyMap<string, number>,
): { want: number; ready: number; synced: boolean } {
  const s = w.status ?? {};
  // The controller has read the latest spec (a DaemonSet's desired count is 0 until it has).
  const synced = w.kind === "Job" || num(s.observedGeneration, -1) >= num(w.metadata.generation, 0);
  const key = `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`;
  switch (w.kind) {
    case "Deployment":
    case "StatefulSet": {
      const want = Math.max(num(w.spec?.replicas, 1), hpaMin.get(key) ?? 0);
      return { want, ready: num(s.readyReplicas), synced };
    }
    case "DaemonSet":
      return { want: num(s.desiredNumberScheduled), ready: num(s.numberReady), synced };
    case "Job": {
      const want = num(w.spec?.completions, 1);
      return { want, ready: num(s.succeeded) + num(s.ready), synced };
    }
    default:
      return { want: 0, ready: 0, synced };
  }
}

/** Where each workload kind is listed (list items carry no `kind`). */
const WORKLOAD_LISTS = {
  Deployment: "/apis/apps/v1/deployments",
  StatefulSet: "/apis/apps/v1/statefulsets",
  DaemonSet: "/apis/apps/v1/daemonsets",
  Job: "/apis/batch/v1/jobs",
} as const;

/**
 * Waits until every workload is at its minimum (or nothing changes for `quietSeconds`, or `timeoutSeconds`
 * pass), then reports what is not: Pending pods with the scheduler's message, FailedCreate events, workloads
 * short of pods. `namespaces`: the namespaces checked (the stack's; kube-system for the EKS add-on stand-ins).
 */
export async function checkScheduling(
  client: KubeClient,
  namespaces: ReadonlySet<string>,
  options: { timeoutSeconds?: number; quietSeconds?: number } = {},
): Promise<ScheduleReport> {
  const started = Date.now();
  const timeout = (options.timeoutSeconds ?? 300) * 1000;
  const quiet = (options.quietSeconds ?? 30) * 1000;
  let lastChange = Date.now();
  let lastState = "";
  let workloads: Obj[];
  let hpaMin: Map<string, number>;
  for (;;) {
    const lists = await Promise.all(
      Object.entries(WORKLOAD_LISTS).map(async ([kind, p]) =>
        (await client.list<Obj>(p)).map((w) => ({ ...w, kind })),
      ),
    );
    workloads = lists.flat().filter((w) => namespaces.has(w.metadata.namespace ?? ""));
    const hpas = await client.list<Obj>("/apis/autoscaling/v2/horizontalpodautoscalers");
    hpaMin = new Map(
      hpas.map((h) => {
        const ref = h.spec?.scaleTargetRef as { kind: string; name: string };
        return [`${ref.kind}/${h.metadata.namespace}/${ref.name}`, num(h.spec?.minReplicas, 1)];
      }),
    );
    const notDone = workloads
      .map((w) => ({ w, p: progress(w, hpaMin) }))
      .filter(({ p }) => p.ready < p.want || !p.synced)
      .map(({ w, p }) => `${w.kind}/${w.metadata.namespace}/${w.metadata.name}:${p.ready}/${p.want}`)
      .sort()
      .join(",");
    if (notDone !== lastState) {
      if (process.env.AGENTOPS_VERIFY_DEBUG)
        console.error(`${((Date.now() - started) / 1000).toFixed(1)}s waiting: ${notDone}`);
      lastState = notDone;
      lastChange = Date.now();
    }
    if (notDone === "" || Date.now() - lastChange > quiet || Date.now() - started > timeout) break;
    await sleep(500);
  }

  const pods = (await client.list<Obj>("/api/v1/pods")).filter((p) =>
    namespaces.has(p.metadata.namespace ?? ""),
  );
  const events = (
    await client.list<
      Obj & {
        reason?: string;
        message?: string;
        involvedObject?: { kind: string; name: string; namespace?: string };
      }
    >("/api/v1/events")
  ).filter((e) => namespaces.has(e.metadata.namespace ?? ""));

  const pending = pods
    .filter((p) => !(p.spec as { nodeName?: string } | undefined)?.nodeName)
    .map((p) => {
      const cond = (
        (p.status?.conditions as { type: string; status: string; message?: string }[] | undefined) ?? []
      ).find((c) => c.type === "PodScheduled");
      return {
        object: describeObject(p),
        message: cond?.message ?? "not scheduled yet (no PodScheduled condition)",
      };
    });
  const refusedPods = new Map<string, ScheduleProblem>();
  for (const e of events.filter((x) => x.reason === "FailedCreate")) {
    const o = e.involvedObject!;
    const object = `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
    // One line per workload and message: a controller retries and repeats itself.
    refusedPods.set(`${object}\0${e.message}`, { object, message: e.message ?? "" });
  }
  const short = workloads
    .map((w) => ({ w, p: progress(w, hpaMin) }))
    .filter(({ p }) => p.ready < p.want)
    .map(({ w, p }) => ({ object: describeObject(w), message: `${p.ready} of ${p.want} pods ready` }));
  const classes = await client.list<Obj>("/apis/storage.k8s.io/v1/storageclasses");
  const classNames = new Set(classes.map((c) => c.metadata.name));
  const hasDefault = classes.some(
    (c) => c.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
  );
  const noStorageClass = (await client.list<Obj>("/api/v1/persistentvolumeclaims"))
    .filter((c) => namespaces.has(c.metadata.namespace ?? ""))
    .flatMap((c) => {
      const name = (c.spec as { storageClassName?: string } | undefined)?.storageClassName;
      if (name && !classNames.has(name)) {
        return [
          {
            object: describeObject({ ...c, kind: "PersistentVolumeClaim" }),
            message: `StorageClass ${JSON.stringify(name)} does not exist`,
          },
        ];
      }
      if (!name && !hasDefault) {
        return [
          {
            object: describeObject({ ...c, kind: "PersistentVolumeClaim" }),
            message: "names no StorageClass and no class is the default",
          },
        ];
      }
      return [];
    });
  return {
    noStorageClass,
    workloads: workloads.length,
    podsBound: pods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName).length,
    pending,
    refusedPods: [...refusedPods.values()],
    short,
    seconds: (Date.now() - started) / 1000,
  };
}
