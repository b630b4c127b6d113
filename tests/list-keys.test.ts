/**
 * Lists that Kubernetes keys by a field (`x-kubernetes-list-type: map` in its OpenAPI): server-side apply refuses
 * an object that lists one key twice ("duplicate entries for key"), where a plain create only warns. Found by
 * `npm run verify` (issue 20): the Vault release listed VAULT_ADDR twice (the chart's and ours). This is the
 * offline mirror of that rule, over every object the program declares and every rendered one.
 */
import * as assert from "node:assert/strict";
import type { KubernetesObject } from "@agentops/components/testing";
import { renderedStack, STACKS, synthStack } from "./harness";

/**
 * Keyed lists of a pod spec and a Service (k8s.io/api core/v1 types.go `+listType=map` / `+listMapKey`), with
 * the defaults the API server fills before it compares keys (`protocol: TCP`).
 */
const POD_LISTS: Record<string, string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  volumes: ["name"],
  imagePullSecrets: ["name"],
  topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"],
};
const CONTAINER_LISTS: Record<string, string[]> = {
  env: ["name"],
  ports: ["containerPort", "protocol"],
  volumeMounts: ["mountPath"],
};
const DEFAULTS: Record<string, string> = { protocol: "TCP" };

type Rec = Record<string, unknown>;
const asRecords = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

function duplicates(list: Rec[], keys: string[], where: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of list) {
    const key = keys.map((k) => String(item[k] ?? DEFAULTS[k] ?? "")).join("/");
    if (seen.has(key)) out.push(`${where}: duplicate entries for key ${keys.join("/")}=${key}`);
    seen.add(key);
  }
  return out;
}

/** The pod spec of a workload object, if it has one. */
function podSpecOf(o: KubernetesObject): Rec | undefined {
  const spec = o.spec as Rec | undefined;
  if (o.kind === "Pod") return spec;
  const template =
    o.kind === "CronJob"
      ? ((spec?.jobTemplate as Rec | undefined)?.spec as Rec | undefined)?.template
      : spec?.template;
  return (template as Rec | undefined)?.spec as Rec | undefined;
}

/** Every keyed list of `o` that names a key twice, as `<Kind> <ns>/<name> <path>: …`. */
export function duplicateListKeys(o: KubernetesObject): string[] {
  const name = `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  const out: string[] = [];
  if (o.kind === "Service")
    out.push(
      ...duplicates(
        asRecords((o.spec as Rec | undefined)?.ports),
        ["port", "protocol"],
        `${name} spec.ports`,
      ),
    );
  const pod = podSpecOf(o);
  if (!pod) return out;
  for (const [list, keys] of Object.entries(POD_LISTS))
    out.push(...duplicates(asRecords(pod[list]), keys, `${name} ${list}`));
  for (const c of [...asRecords(pod.containers), ...asRecords(pod.initContainers)]) {
    for (const [list, keys] of Object.entries(CONTAINER_LISTS)) {
      out.push(...duplicates(asRecords(c[list]), keys, `${name} container ${String(c.name)} ${list}`));
    }
  }
  return out;
}

describe("keyed lists (server-side apply's duplicate-key rule)", () => {
  it("finds a name listed twice in a container's env, and a port without protocol twice", () => {
    const o: KubernetesObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "vault", namespace: "vault" },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "vault",
                env: [
                  { name: "VAULT_ADDR", value: "a" },
                  { name: "VAULT_ADDR", value: "a" },
                ],
                ports: [{ containerPort: 8200 }, { containerPort: 8200, protocol: "TCP" }],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(duplicateListKeys(o), [
      "StatefulSet vault/vault container vault env: duplicate entries for key name=VAULT_ADDR",
      "StatefulSet vault/vault container vault ports: duplicate entries for key containerPort/protocol=8200/TCP",
    ]);
  });

  for (const stack of STACKS) {
    it(`${stack}: no object the program declares or a release renders lists a key twice`, async function () {
      const synth = await synthStack(stack);
      const rendered = await renderedStack(this, stack);
      const objects = [...synth.manifests, ...rendered.releases.flatMap((r) => r.objects)];
      assert.deepEqual(objects.flatMap(duplicateListKeys), []);
    });
  }
});
