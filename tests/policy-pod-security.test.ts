import { strict as assert } from "node:assert";
import { ALLOWED_VOLUME_TYPES, checkPodSecurity, podSecurity, SAFE_SYSCTLS } from "../policy/pod-security";
import { withDefaults } from "../policy/define";
import { kubeTypeToken } from "../policy/kube";
import { container, workload } from "./fixtures/policy";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const config = withDefaults<Parameters<typeof checkPodSecurity>[1]>(podSecurity.configSchema, {});
const P = "spec.template.spec";
const C = `${P}.containers["agent"]`;

/** The violations of a Deployment whose pod spec `edit` changed. */
function violations(edit: (spec: any) => void): string[] {
  const obj = workload("Deployment");
  edit(obj.spec.template.spec);
  return checkPodSecurity(obj, config);
}

describe("policy pod-security", () => {
  it("passes the compliant fixture of every workload kind", () => {
    for (const kind of ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]) {
      assert.deepEqual(checkPodSecurity(workload(kind), config), [], kind);
    }
  });

  it("ignores objects that run no pods", () => {
    assert.deepEqual(
      checkPodSecurity({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, config),
      [],
    );
  });

  const cases: [string, (spec: any) => void, string][] = [
    ["host network", (s) => (s.hostNetwork = true), `${P}.hostNetwork: true — must be false or unset`],
    ["host PID", (s) => (s.hostPID = true), `${P}.hostPID: true — must be false or unset`],
    ["host IPC", (s) => (s.hostIPC = true), `${P}.hostIPC: true — must be false or unset`],
    [
      "a Windows host process pod",
      (s) => (s.securityContext.windowsOptions = { hostProcess: true }),
      `${P}.securityContext.windowsOptions.hostProcess: true — must be false or unset`,
    ],
    [
      "a Windows host process container",
      (s) => (s.containers[0].securityContext.windowsOptions = { hostProcess: true }),
      `${C}.securityContext.windowsOptions.hostProcess: true — must be false or unset`,
    ],
    [
      "a privileged container",
      (s) => (s.containers[0].securityContext.privileged = true),
      `${C}.securityContext.privileged: true — must be false or unset`,
    ],
    [
      "privilege escalation left unset",
      (s) => delete s.containers[0].securityContext.allowPrivilegeEscalation,
      `${C}.securityContext.allowPrivilegeEscalation: (missing) — must be false`,
    ],
    [
      "capabilities not dropping ALL",
      (s) => (s.containers[0].securityContext.capabilities.drop = ["NET_RAW"]),
      `${C}.securityContext.capabilities.drop: ["NET_RAW"] — must include ALL`,
    ],
    [
      "an added capability other than NET_BIND_SERVICE",
      (s) => (s.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE", "SYS_ADMIN"]),
      `${C}.securityContext.capabilities.add: ["NET_BIND_SERVICE","SYS_ADMIN"] — may only add NET_BIND_SERVICE`,
    ],
    [
      "a hostPath volume",
      (s) => s.volumes.push({ name: "host", hostPath: { path: "/var/run" } }),
      `${P}.volumes["host"].hostPath: {"path":"/var/run"} — volume type hostPath is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`,
    ],
    [
      "an nfs volume",
      (s) => s.volumes.push({ name: "share", nfs: { server: "nas", path: "/x" } }),
      `${P}.volumes["share"].nfs: {"server":"nas","path":"/x"} — volume type nfs is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`,
    ],
    [
      "a host port",
      (s) => (s.containers[0].ports[0].hostPort = 8080),
      `${C}.ports[0].hostPort: 8080 — must be 0 or unset`,
    ],
    [
      "an unmasked /proc",
      (s) => (s.containers[0].securityContext.procMount = "Unmasked"),
      `${C}.securityContext.procMount: "Unmasked" — must be Default or unset`,
    ],
    [
      "an unsafe sysctl",
      (s) => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]),
      `${P}.securityContext.sysctls[0].name: "kernel.msgmax" — must be a safe sysctl: ${SAFE_SYSCTLS.join(", ")}`,
    ],
    [
      "an SELinux type outside the container types",
      (s) => (s.securityContext.seLinuxOptions = { type: "spc_t" }),
      `${P}.securityContext.seLinuxOptions.type: "spc_t" — must be unset or one of container_t, container_init_t, container_kvm_t, container_engine_t`,
    ],
    [
      "an SELinux user",
      (s) => (s.containers[0].securityContext.seLinuxOptions = { user: "system_u" }),
      `${C}.securityContext.seLinuxOptions.user: "system_u" — must be unset`,
    ],
    [
      "an SELinux role",
      (s) => (s.containers[0].securityContext.seLinuxOptions = { role: "sysadm_r" }),
      `${C}.securityContext.seLinuxOptions.role: "sysadm_r" — must be unset`,
    ],
    [
      "an unconfined AppArmor profile",
      (s) => (s.containers[0].securityContext.appArmorProfile = { type: "Unconfined" }),
      `${C}.securityContext.appArmorProfile.type: "Unconfined" — must be RuntimeDefault or Localhost`,
    ],
    [
      "an unconfined seccomp profile",
      (s) => (s.securityContext.seccompProfile = { type: "Unconfined" }),
      `${P}.securityContext.seccompProfile.type: "Unconfined" — must be RuntimeDefault or Localhost`,
    ],
    [
      "no seccomp profile anywhere",
      (s) => delete s.securityContext.seccompProfile,
      `${C}.securityContext.seccompProfile.type: (missing) — must be RuntimeDefault or Localhost (here or in the pod's securityContext)`,
    ],
    [
      "a container allowed to run as root",
      (s) => (s.containers[0].securityContext.runAsNonRoot = false),
      `${C}.securityContext.runAsNonRoot: false — must be true (here or in the pod's securityContext)`,
    ],
    [
      "UID 0 for the pod",
      (s) => (s.securityContext.runAsUser = 0),
      `${P}.securityContext.runAsUser: 0 — must not be 0 (root)`,
    ],
    [
      "UID 0 for a container",
      (s) => (s.containers[0].securityContext.runAsUser = 0),
      `${C}.securityContext.runAsUser: 0 — must not be 0 (root)`,
    ],
    [
      "a writable root filesystem",
      (s) => (s.containers[0].securityContext.readOnlyRootFilesystem = false),
      `${C}.securityContext.readOnlyRootFilesystem: false — must be true`,
    ],
    [
      "no CPU request",
      (s) => delete s.containers[0].resources.requests.cpu,
      `${C}.resources.requests.cpu: (missing) — must be set`,
    ],
    [
      "no memory limit",
      (s) => delete s.containers[0].resources.limits.memory,
      `${C}.resources.limits.memory: (missing) — must be set`,
    ],
    [
      "a privileged init container",
      (s) =>
        (s.initContainers = [
          { ...container("init"), securityContext: { ...container().securityContext, privileged: true } },
        ]),
      `${P}.initContainers["init"].securityContext.privileged: true — must be false or unset`,
    ],
    [
      "an ephemeral container that may escalate",
      (s) => {
        const debug = container("debug");
        delete debug.resources; // ephemeral containers cannot declare resources: not a violation
        debug.securityContext.allowPrivilegeEscalation = true;
        s.ephemeralContainers = [debug];
      },
      `${P}.ephemeralContainers["debug"].securityContext.allowPrivilegeEscalation: true — must be false`,
    ],
  ];
  for (const [what, edit, message] of cases) {
    it(`flags ${what}`, () => assert.deepEqual(violations(edit), [message]));
  }

  it("allows adding NET_BIND_SERVICE", () => {
    assert.deepEqual(
      violations((s) => (s.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"])),
      [],
    );
  });

  it("allows a safe sysctl", () => {
    assert.deepEqual(
      violations((s) => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }])),
      [],
    );
  });

  it("flags an unconfined AppArmor annotation on the pod template", () => {
    const obj = workload("Deployment");
    obj.spec.template.metadata.annotations = {
      "container.apparmor.security.beta.kubernetes.io/agent": "unconfined",
    };
    assert.deepEqual(checkPodSecurity(obj, config), [
      'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/agent"]: "unconfined" — must be runtime/default or localhost/<profile>',
    ]);
  });

  it("finds the pod spec of a CronJob under its job template", () => {
    const obj = workload("CronJob");
    obj.spec.jobTemplate.spec.template.spec.hostPID = true;
    assert.deepEqual(checkPodSecurity(obj, config), [
      "spec.jobTemplate.spec.template.spec.hostPID: true — must be false or unset",
    ]);
  });

  it("finds the pod spec of a bare Pod", () => {
    const obj = workload("Pod");
    obj.spec.hostIPC = true;
    assert.deepEqual(checkPodSecurity(obj, config), ["spec.hostIPC: true — must be false or unset"]);
  });

  it("skips exempt namespaces", () => {
    const obj = workload("DaemonSet");
    obj.spec.template.spec.hostNetwork = true;
    assert.deepEqual(checkPodSecurity(obj, { ...config, exemptNamespaces: ["governance"] }), []);
  });

  it("drops the read-only root filesystem check when configured off", () => {
    const obj = workload("Deployment");
    obj.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    assert.deepEqual(checkPodSecurity(obj, { ...config, requireReadOnlyRootFilesystem: false }), []);
  });

  it("reports through validateResource as the Pulumi engine calls it", async () => {
    const obj = workload("StatefulSet");
    obj.spec.template.spec.containers[0].securityContext.privileged = true;
    const reported: string[] = [];
    const validate = podSecurity.validateResource as (
      args: any,
      report: (m: string) => void,
    ) => Promise<void> | void;
    await validate(
      {
        type: kubeTypeToken(obj),
        name: "it-ops-agent",
        props: obj,
        getConfig: () => ({ enforcementLevel: "mandatory" }),
      },
      (m) => reported.push(m),
    );
    assert.deepEqual(reported, [`${C}.securityContext.privileged: true — must be false or unset`]);
  });
});
