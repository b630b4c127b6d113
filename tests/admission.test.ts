/**
 * Pod security as admission will judge it (issue 12, item 2): every pod the platform's charts and the program
 * render, at the level its namespace enforces.
 */
import { strict as assert } from "node:assert";
import {
  EKS_DEFAULT_LEVELS,
  formatAdmissionReport,
  judgeAdmission,
  namespaceLevels,
  type NamespaceLevels,
} from "../policy/admission";
import type { KubeObject } from "../policy/kube";
import { workload } from "./fixtures/policy";
import { renderedStack, STACKS } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});
const psa = (enforce: string, warn: string) => ({
  "pod-security.kubernetes.io/enforce": enforce,
  "pod-security.kubernetes.io/warn": warn,
});

/** A compliant Deployment in `ns`, with `edit` applied to its pod spec. */
function pod(ns: string, edit: (spec: any) => void = () => undefined, name = "app"): KubeObject {
  const obj = workload("Deployment", undefined, name);
  obj.metadata.namespace = ns;
  edit(obj.spec.template.spec);
  return obj;
}

describe("admission check: pure functions", () => {
  const levels = namespaceLevels([
    namespace("monitoring", psa("baseline", "restricted")),
    namespace("governance", psa("restricted", "restricted")),
    namespace("bad-label", { "pod-security.kubernetes.io/enforce": "strict" }),
  ]);

  it("reads each Namespace's enforce and warn labels; an unknown value counts as restricted", () => {
    assert.deepEqual(Object.fromEntries(levels), {
      monitoring: { enforce: "baseline", warn: "restricted", source: "labels" },
      governance: { enforce: "restricted", warn: "restricted", source: "labels" },
      "bad-label": { enforce: "restricted", warn: "privileged", source: "labels" },
    } satisfies Record<string, NamespaceLevels>);
  });

  it("rejects a pod that breaks the level its namespace enforces", () => {
    const report = judgeAdmission([pod("monitoring", (s) => (s.hostNetwork = true))], levels);
    assert.deepEqual(report.rejected, [
      {
        object: "Deployment/monitoring/app",
        namespace: "monitoring",
        level: "baseline",
        message: "spec.template.spec.hostNetwork: true — must be false or unset",
      },
    ]);
    assert.deepEqual(report.advisory, []);
  });

  it("lists restricted-only findings in a namespace that enforces baseline as advisory, not rejected", () => {
    const report = judgeAdmission(
      [pod("monitoring", (s) => delete s.securityContext.seccompProfile)],
      levels,
    );
    assert.deepEqual(report.rejected, []);
    assert.deepEqual(
      report.advisory.map((f) => f.message),
      [
        `spec.template.spec.containers["agent"].securityContext.seccompProfile.type: (missing) — must be RuntimeDefault or Localhost (here or in the pod's securityContext)`,
      ],
    );
  });

  it("judges kube-system, which EKS leaves unlabelled, as privileged: everything is admitted", () => {
    const report = judgeAdmission([pod("kube-system", (s) => (s.hostPID = true))], levels);
    assert.deepEqual(report.rejected, []);
    assert.deepEqual(report.judged, [{ namespace: "kube-system", ...EKS_DEFAULT_LEVELS, pods: 1 }]);
  });

  it("takes the release's namespace for objects that name none, and skips Helm test hooks", () => {
    const chartPod = pod("", (s) => (s.hostIPC = true));
    delete chartPod.metadata.namespace;
    const hook = pod("governance", (s) => (s.hostIPC = true), "test-connection");
    hook.metadata.annotations = { "helm.sh/hook": "test" };
    const report = judgeAdmission([chartPod, hook], levels, (o) => o.metadata.namespace ?? "governance");
    assert.deepEqual(
      report.rejected.map((f) => [f.object, f.level]),
      [["Deployment/governance/app", "restricted"]],
    );
  });
});

describe("admission check: the rendered platform and the program, per stack", function () {
  this.timeout(600_000);
  for (const stack of STACKS) {
    it(`${stack}: admission admits every pod at its namespace's enforced level`, async function () {
      const { synth, releases } = await renderedStack(this, stack);
      const levels = namespaceLevels(synth.manifests as KubeObject[]);
      const objects: { obj: KubeObject; namespace: string }[] = [
        ...releases.flatMap((r) =>
          (r.objects as KubeObject[]).map((obj) => ({
            obj,
            namespace: obj.metadata.namespace ?? r.namespace,
          })),
        ),
        ...(synth.manifests as KubeObject[]).map((obj) => ({
          obj,
          namespace: obj.metadata.namespace ?? "default",
        })),
      ];
      const namespaces = new Map(objects.map((o) => [o.obj, o.namespace]));
      const report = judgeAdmission(
        objects.map((o) => o.obj),
        levels,
        (obj) => namespaces.get(obj)!,
      );
      console.log(formatAdmissionReport(stack, report));
      assert.ok(report.judged.reduce((n, j) => n + j.pods, 0) > 10, "pod templates were found");
      assert.deepEqual(report.rejected, []);
    });
  }
});
