import { strict as assert } from "node:assert";
import type { WorkloadFootprint } from "../components/src/model/capacity";
import { podPlacement } from "@agentops/components/model";
import { parseQuantity } from "../components/src/lib/quantity";
import { ADDONS } from "../components/src/platform/registry";
import type { KubernetesObject } from "../components/src/testing/synth";
import { renderedStack, STACKS } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form */

const POD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"];

/** The pod spec of a rendered workload. */
function podSpec(obj: any): any {
  if (obj.kind === "Pod") return obj.spec;
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

const hookOf = (obj: KubernetesObject) => obj.metadata.annotations?.["helm.sh/hook"];
/** Helm test hooks run only under `helm test`, never from a Release: not part of what the cluster runs. */
const installed = (obj: KubernetesObject) => !(hookOf(obj) ?? "").split(",").some((h) => h.trim() === "test");

/** Containers with requests in base units, comparable between a footprint and a rendered pod. */
const containers = (list: readonly any[] | undefined) =>
  (list ?? []).map((c) => ({
    name: c.name,
    cpu: parseQuantity(c.resources?.requests?.cpu ?? c.cpu ?? "") ?? null,
    memory: parseQuantity(c.resources?.requests?.memory ?? c.memory ?? "") ?? null,
  }));

/** A rendered workload in the footprint's terms. */
function fromRendered(obj: any) {
  const spec = podSpec(obj);
  const kind = obj.kind === "Pod" ? "Pod" : obj.kind;
  return {
    workload: `${kind}/${obj.metadata.name}`,
    replicas: kind === "Deployment" || kind === "StatefulSet" ? (obj.spec.replicas ?? 1) : 1,
    hook: hookOf(obj) !== undefined,
    containers: containers(spec.containers),
    initContainers: containers(spec.initContainers),
    placement: podPlacement(spec),
  };
}

function fromFootprint(w: WorkloadFootprint) {
  return {
    workload: `${w.kind}/${w.name}`,
    replicas: w.replicas,
    hook: w.hook ?? false,
    containers: containers(w.containers),
    initContainers: containers(w.initContainers),
    placement: {
      nodeSelector: w.placement.nodeSelector ?? {},
      required: w.placement.required ?? [],
      preferred: w.placement.preferred ?? [],
      tolerations: w.placement.tolerations ?? [],
    },
  };
}

const byWorkload = <T extends { workload: string }>(list: T[]) =>
  [...list].sort((a, b) => a.workload.localeCompare(b.workload));

describe("platform footprints match the rendered charts", function () {
  this.timeout(600_000);
  for (const stack of STACKS) {
    describe(stack, () => {
      it("renders exactly the workloads, replicas, containers, requests and placement each footprint declares", async function () {
        const result = await renderedStack(this, stack);
        for (const release of result.releases) {
          const addon = ADDONS.find((a) => a.name === release.name);
          assert.ok(addon, `release ${release.name} is not in the registry`);
          const inputs = result.synth.resources.find(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).name === release.name,
          )!.inputs as any;
          const rendered = release.objects.filter((o) => POD_KINDS.includes(o.kind) && installed(o));
          const declared = addon.footprint(inputs.values ?? {}).filter((w) => !w.operated);
          assert.deepEqual(
            byWorkload(rendered.map(fromRendered)),
            byWorkload(declared.map(fromFootprint)),
            `${stack}: release ${release.name}`,
          );
        }
      });

      it("gives every platform container CPU and memory requests", async function () {
        const result = await renderedStack(this, stack);
        const missing = result.releases.flatMap((release) =>
          release.objects
            .filter((o) => POD_KINDS.includes(o.kind) && installed(o))
            .flatMap((o) => {
              const spec = podSpec(o);
              return [...(spec.containers ?? []), ...(spec.initContainers ?? [])]
                .filter((c: any) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory)
                .map((c: any) => `${release.name}: ${o.kind}/${o.metadata.name} container ${c.name}`);
            }),
        );
        assert.deepEqual(missing, []);
      });
    });
  }
});
