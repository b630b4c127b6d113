/**
 * kwok's Stage objects: what a fake kubelet does. kwok v0.8.0 ships them in its module
 * (`kustomize/stage/`, copied into the toolchain cache by `npm run toolchain`); the volume stages there
 * provision only claims of its own StorageClass `kwok-volume`, so this file adds two of our own, written after
 * kwok's `volume/fast/pvc-provision.yaml` and `pv-bind.yaml`, that provision a claim of any StorageClass the
 * stack declares (EBS `gp3` on EKS): without them a pod with a claim would wait for an EBS CSI driver that does
 * not run here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

/** kwok's own stages used, relative to `<toolchain>/kwok/stage/`. */
export const KWOK_STAGES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
] as const;

/** Marks the volumes our provisioning stage makes (kwok's own annotation value). */
export const PROVISIONED_BY = "kwok.x-k8s.io/volume";

const cel = (expression: string) => ({ cel: { expression } });

/** Binds every unbound claim that names a StorageClass to a new volume of the requested size. */
export const PVC_PROVISION = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "agentops-pvc-provision" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "PersistentVolumeClaim" },
    selector: {
      matchExpressions: [
        cel("has(self.spec.storageClassName) && self.spec.storageClassName != ''"),
        cel("!has(self.metadata.deletionTimestamp)"),
        cel("!has(self.spec.volumeName)"),
        cel("self.status.phase != 'Bound'"),
      ],
    },
    steps: [
      {
        apply: {
          template: `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pvc-{{ .metadata.uid }}
  annotations:
    pv.kubernetes.io/provisioned-by: ${PROVISIONED_BY}
spec:
  accessModes:
  {{ YAML .spec.accessModes 2 }}
  capacity:
  {{ YAML .spec.resources.requests 2 }}
  persistentVolumeReclaimPolicy: Delete
  storageClassName: {{ .spec.storageClassName | Quote }}
  volumeMode: {{ default "Filesystem" .spec.volumeMode | Quote }}
  claimRef:
    apiVersion: v1
    kind: PersistentVolumeClaim
    name: {{ .metadata.name | Quote }}
    namespace: {{ .metadata.namespace | Quote }}
    resourceVersion: {{ .metadata.resourceVersion | Quote }}
    uid: {{ .metadata.uid | Quote }}
  hostPath:
    path: /tmp/kwok-local-path-provisioner/pvc-{{ .metadata.uid }}
    type: DirectoryOrCreate
`,
        },
      },
      {
        patch: {
          root: "metadata",
          template: `annotations:
  pv.kubernetes.io/bind-completed: "yes"
  pv.kubernetes.io/bound-by-controller: "yes"
`,
        },
      },
      { patch: { root: "spec", template: "volumeName: pvc-{{ .metadata.uid }}\n" } },
      {
        patch: {
          root: "status",
          subresource: "status",
          template: `phase: Bound
accessModes:
{{ YAML .spec.accessModes 1 }}
capacity:
{{ YAML .spec.resources.requests 1 }}
`,
        },
      },
    ],
  },
};

/** Marks the volumes made above Bound. */
export const PV_BIND = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "agentops-pv-bind" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "PersistentVolume" },
    selector: {
      matchExpressions: [
        cel(
          `has(self.metadata.annotations) && self.metadata.annotations['pv.kubernetes.io/provisioned-by'] == '${PROVISIONED_BY}'`,
        ),
        cel("!has(self.metadata.deletionTimestamp)"),
        cel("has(self.spec.claimRef.name)"),
        cel("!(self.status.phase in ['Bound', 'Released', 'Failed'])"),
      ],
    },
    steps: [
      {
        patch: {
          root: "status",
          subresource: "status",
          template: "phase: Bound\nlastPhaseTransitionTime: {{ Now | Quote }}\n",
        },
      },
    ],
  },
};

/**
 * The stages file kwok reads (`-c`): kwok's stages from the toolchain, then ours, as one multi-document YAML.
 * @param toolchainDir `<cache>/<key>` of the built toolchain
 */
export function stagesYaml(toolchainDir: string): string {
  const own = KWOK_STAGES.map((f) =>
    fs.readFileSync(path.join(toolchainDir, "kwok", "stage", f), "utf8").trim(),
  );
  return [...own, stringify(PVC_PROVISION).trim(), stringify(PV_BIND).trim()].join("\n---\n") + "\n";
}
