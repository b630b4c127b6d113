import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ALLOWED_VOLUME_TYPES,
  BASELINE_CAPABILITIES,
  checkPodSecurity,
  controlsAt,
  POD_SECURITY_CONTROLS,
  podSecurity,
  SAFE_SYSCTLS,
} from "../policy/pod-security";
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
      `${C}.securityContext.runAsNonRoot: false — must be true or unset`,
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

/**
 * One compliant and one violating fixture per control of the Pod Security Standards, written from the
 * standard's definitions (https://kubernetes.io/docs/concepts/security/pod-security-standards/) and checked
 * against k8s.io/pod-security-admission v0.35. Each starts from the compliant Deployment and changes what the
 * control is about. policy/README.md names these tests in its table.
 */
const CONTROL_CASES: Record<
  string,
  { compliant: [string, (spec: any) => void]; violating: [string, (spec: any) => void, string[]] }
> = {
  windowsHostProcess: {
    compliant: ["hostProcess false", (s) => (s.securityContext.windowsOptions = { hostProcess: false })],
    violating: [
      "a HostProcess container",
      (s) => (s.containers[0].securityContext.windowsOptions = { hostProcess: true }),
      [`${C}.securityContext.windowsOptions.hostProcess: true — must be false or unset`],
    ],
  },
  hostNamespaces: {
    compliant: ["host namespaces false", (s) => Object.assign(s, { hostNetwork: false, hostPID: false })],
    violating: ["hostPID", (s) => (s.hostPID = true), [`${P}.hostPID: true — must be false or unset`]],
  },
  privileged: {
    compliant: ["privileged false", (s) => (s.containers[0].securityContext.privileged = false)],
    violating: [
      "a privileged container",
      (s) => (s.containers[0].securityContext.privileged = true),
      [`${C}.securityContext.privileged: true — must be false or unset`],
    ],
  },
  capabilities_baseline: {
    compliant: ["no added capability", () => undefined],
    violating: [
      "adding SYS_ADMIN",
      (s) => (s.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]),
      [
        `${C}.securityContext.capabilities.add: ["SYS_ADMIN"] — may only add ${BASELINE_CAPABILITIES.join(", ")}`,
      ],
    ],
  },
  hostPathVolumes: {
    compliant: ["an emptyDir", (s) => s.volumes.push({ name: "cache", emptyDir: {} })],
    violating: [
      "a hostPath volume",
      (s) => s.volumes.push({ name: "host", hostPath: { path: "/var/run" } }),
      [`${P}.volumes["host"].hostPath: {"path":"/var/run"} — volume type hostPath is not allowed`],
    ],
  },
  hostPorts: {
    compliant: ["hostPort 0", (s) => (s.containers[0].ports[0].hostPort = 0)],
    violating: [
      "a host port",
      (s) => (s.containers[0].ports[0].hostPort = 8080),
      [`${C}.ports[0].hostPort: 8080 — must be 0 or unset`],
    ],
  },
  hostProbesAndHostLifecycle: {
    compliant: [
      "probes without host",
      (s) => (s.containers[0].livenessProbe = { httpGet: { path: "/healthz", port: 8080, host: "" } }),
    ],
    violating: [
      "a probe and a preStop hook aimed at another host",
      (s) => {
        s.containers[0].readinessProbe = { tcpSocket: { port: 8080, host: "10.0.0.1" } };
        s.containers[0].lifecycle = { preStop: { httpGet: { path: "/drain", port: 80, host: "metadata" } } };
      },
      [
        `${C}.readinessProbe.tcpSocket.host: "10.0.0.1" — must be empty or unset`,
        `${C}.lifecycle.preStop.httpGet.host: "metadata" — must be empty or unset`,
      ],
    ],
  },
  appArmorProfile: {
    compliant: [
      "RuntimeDefault and an empty annotation",
      (s) => (s.securityContext.appArmorProfile = { type: "RuntimeDefault" }),
    ],
    violating: [
      "an Unconfined profile",
      (s) => (s.containers[0].securityContext.appArmorProfile = { type: "Unconfined" }),
      [`${C}.securityContext.appArmorProfile.type: "Unconfined" — must be RuntimeDefault or Localhost`],
    ],
  },
  seLinuxOptions: {
    compliant: [
      "type container_engine_t",
      (s) => (s.securityContext.seLinuxOptions = { type: "container_engine_t" }),
    ],
    violating: [
      "type spc_t and a user",
      (s) => (s.securityContext.seLinuxOptions = { type: "spc_t", user: "system_u" }),
      [
        `${P}.securityContext.seLinuxOptions.type: "spc_t" — must be unset or one of container_t, container_init_t, container_kvm_t, container_engine_t`,
        `${P}.securityContext.seLinuxOptions.user: "system_u" — must be unset`,
      ],
    ],
  },
  procMount: {
    compliant: ["procMount Default", (s) => (s.containers[0].securityContext.procMount = "Default")],
    violating: [
      "an Unmasked /proc",
      (s) => (s.containers[0].securityContext.procMount = "Unmasked"),
      [`${C}.securityContext.procMount: "Unmasked" — must be Default or unset`],
    ],
  },
  seccompProfile_baseline: {
    compliant: [
      "Localhost",
      (s) => (s.securityContext.seccompProfile = { type: "Localhost", localhostProfile: "a.json" }),
    ],
    violating: [
      "Unconfined",
      (s) => (s.securityContext.seccompProfile = { type: "Unconfined" }),
      [`${P}.securityContext.seccompProfile.type: "Unconfined" — must be RuntimeDefault or Localhost`],
    ],
  },
  sysctls: {
    compliant: [
      "net.ipv4.tcp_rmem (safe since 1.32)",
      (s) => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" }]),
    ],
    violating: [
      "net.ipv4.tcp_slow_start_after_idle (safe only from 1.37)",
      (s) => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_slow_start_after_idle", value: "0" }]),
      [
        `${P}.securityContext.sysctls[0].name: "net.ipv4.tcp_slow_start_after_idle" — must be a safe sysctl: ${SAFE_SYSCTLS.join(", ")}`,
      ],
    ],
  },
  restrictedVolumes: {
    compliant: [
      "an image volume (allowed since 1.33)",
      (s) =>
        s.volumes.push({
          name: "model",
          image: { reference: "ghcr.io/agentops/model:1", pullPolicy: "IfNotPresent" },
        }),
    ],
    violating: [
      "an nfs volume",
      (s) => s.volumes.push({ name: "share", nfs: { server: "nas", path: "/x" } }),
      [
        `${P}.volumes["share"].nfs: {"server":"nas","path":"/x"} — volume type nfs is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`,
      ],
    ],
  },
  allowPrivilegeEscalation: {
    compliant: ["false", () => undefined],
    violating: [
      "unset",
      (s) => delete s.containers[0].securityContext.allowPrivilegeEscalation,
      [`${C}.securityContext.allowPrivilegeEscalation: (missing) — must be false`],
    ],
  },
  runAsNonRoot: {
    compliant: [
      "true on the pod, unset on the container",
      (s) => delete s.containers[0].securityContext.runAsNonRoot,
    ],
    violating: [
      "false on the pod though every container sets true",
      (s) => (s.securityContext.runAsNonRoot = false),
      [
        `${P}.securityContext.runAsNonRoot: false — must be true or unset: false here fails the pod even when every container sets true`,
      ],
    ],
  },
  runAsUser: {
    compliant: ["a non-zero UID", (s) => (s.containers[0].securityContext.runAsUser = 65532)],
    violating: [
      "UID 0 on the pod",
      (s) => (s.securityContext.runAsUser = 0),
      [`${P}.securityContext.runAsUser: 0 — must not be 0 (root)`],
    ],
  },
  seccompProfile_restricted: {
    compliant: [
      "set on every container instead of the pod",
      (s) => {
        delete s.securityContext.seccompProfile;
        s.containers[0].securityContext.seccompProfile = { type: "RuntimeDefault" };
      },
    ],
    violating: [
      "set nowhere",
      (s) => delete s.securityContext.seccompProfile,
      [
        `${C}.securityContext.seccompProfile.type: (missing) — must be RuntimeDefault or Localhost (here or in the pod's securityContext)`,
      ],
    ],
  },
  capabilities_restricted: {
    compliant: [
      "drop ALL, add NET_BIND_SERVICE",
      (s) => (s.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]),
    ],
    violating: [
      "adding CHOWN (baseline allows it)",
      (s) => (s.containers[0].securityContext.capabilities.add = ["CHOWN"]),
      [`${C}.securityContext.capabilities.add: ["CHOWN"] — may only add NET_BIND_SERVICE`],
    ],
  },
  procMount_restricted: {
    compliant: ["Default in a user namespace", (s) => Object.assign(s, { hostUsers: false })],
    violating: [
      "Unmasked in a user namespace (baseline allows it)",
      (s) => {
        s.hostUsers = false;
        s.containers[0].securityContext.procMount = "Unmasked";
      },
      [`${C}.securityContext.procMount: "Unmasked" — must be Default or unset`],
    ],
  },
};

/** The violations of the compliant Deployment after `edit`, at `level`, without the project's extra rules. */
function atLevel(level: "baseline" | "restricted", edit: (spec: any) => void): string[] {
  const obj = workload("Deployment");
  edit(obj.spec.template.spec);
  return checkPodSecurity(obj, {
    ...config,
    level,
    requireReadOnlyRootFilesystem: false,
    requireResources: false,
  });
}

describe("policy pod-security: every control of the standard as Kubernetes 1.35 admission judges it", () => {
  for (const control of POD_SECURITY_CONTROLS) {
    const c = CONTROL_CASES[control.id];
    it(`control ${control.id} (${control.level}): admits ${c?.compliant[0]}, refuses ${c?.violating[0]}`, () => {
      assert.ok(c, `no fixtures for control ${control.id}`);
      assert.deepEqual(atLevel(control.level, c.compliant[1]), []);
      assert.deepEqual(atLevel(control.level, c.violating[1]), c.violating[2]);
    });
  }

  it("has fixtures for exactly the controls there are", () => {
    assert.deepEqual(Object.keys(CONTROL_CASES).sort(), POD_SECURITY_CONTROLS.map((c) => c.id).sort());
  });

  it("policy/README.md lists every control with its version and its test", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "policy", "README.md"), "utf8");
    for (const control of POD_SECURITY_CONTROLS) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${control.id}\``));
      assert.ok(row, `no row for ${control.id}`);
      const cells = row.split("|").map((cell) => cell.trim());
      assert.equal(cells[2], control.level, control.id);
      assert.equal(cells[3], control.since, control.id);
      assert.ok(cells[5]!.includes(`control ${control.id} (`), `${control.id}: test column`);
    }
  });

  it("baseline leaves out every restricted control, and restricted replaces the baseline ones it overrides", () => {
    assert.deepEqual(
      controlsAt("baseline").map((c) => c.id),
      POD_SECURITY_CONTROLS.filter((c) => c.level === "baseline").map((c) => c.id),
    );
    const restricted = controlsAt("restricted").map((c) => c.id);
    for (const id of ["hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline", "procMount"]) {
      assert.ok(!restricted.includes(id), id);
    }
  });

  it("baseline admits what only restricted refuses: root, nfs volumes, CHOWN, no seccomp profile", () => {
    assert.deepEqual(
      atLevel("baseline", (s) => {
        s.securityContext = {};
        s.containers[0].securityContext = { capabilities: { add: ["CHOWN"] } };
        s.volumes.push({ name: "share", nfs: { server: "nas", path: "/x" } });
      }),
      [],
    );
  });

  it("issue 14: admits an image volume at restricted (since 1.33)", () => {
    assert.deepEqual(
      violations((s) => s.volumes.push({ name: "model", image: { reference: "ghcr.io/org/model:1" } })),
      [],
    );
  });

  it("issue 14: refuses runAsNonRoot false on the pod even with true on every container", () => {
    assert.deepEqual(
      violations((s) => {
        s.securityContext.runAsNonRoot = false;
        s.initContainers = [{ ...container("init"), securityContext: { ...container().securityContext } }];
      }),
      [
        `${P}.securityContext.runAsNonRoot: false — must be true or unset: false here fails the pod even when every container sets true`,
      ],
    );
  });

  it("exempts Windows pods from the Linux-only restricted controls, not from the others", () => {
    assert.deepEqual(
      atLevel("restricted", (s) => {
        s.os = { name: "windows" };
        delete s.securityContext.seccompProfile;
        s.containers[0].securityContext = { runAsNonRoot: true };
      }),
      [],
    );
    assert.deepEqual(
      atLevel("restricted", (s) => {
        s.os = { name: "windows" };
        s.securityContext.runAsNonRoot = false;
      }),
      [
        `${P}.securityContext.runAsNonRoot: false — must be true or unset: false here fails the pod even when every container sets true`,
      ],
    );
  });

  it("relaxes runAsNonRoot, runAsUser and baseline procMount in a user namespace (hostUsers: false)", () => {
    const rootInUserNamespace = (s: any) => {
      s.hostUsers = false;
      s.securityContext.runAsNonRoot = false;
      s.securityContext.runAsUser = 0;
    };
    assert.deepEqual(atLevel("restricted", rootInUserNamespace), []);
    assert.deepEqual(
      atLevel("baseline", (s) => {
        s.hostUsers = false;
        s.containers[0].securityContext.procMount = "Unmasked";
      }),
      [],
    );
  });

  it("admits an empty AppArmor annotation and refuses unconfined", () => {
    const obj = workload("Deployment");
    obj.spec.template.metadata.annotations = {
      "container.apparmor.security.beta.kubernetes.io/agent": "",
      "container.apparmor.security.beta.kubernetes.io/sidecar": "unconfined",
    };
    assert.deepEqual(checkPodSecurity(obj, config), [
      'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/sidecar"]: "unconfined" — must be runtime/default, localhost/<profile> or empty',
    ]);
  });

  it("checks init and ephemeral containers too", () => {
    assert.deepEqual(
      atLevel("baseline", (s) => {
        s.initContainers = [
          { name: "init", image: "x:1", startupProbe: { httpGet: { port: 1, host: "h" } } },
        ];
        s.ephemeralContainers = [{ name: "debug", image: "x:1", securityContext: { privileged: true } }];
      }),
      [
        `${P}.ephemeralContainers["debug"].securityContext.privileged: true — must be false or unset`,
        `${P}.initContainers["init"].startupProbe.httpGet.host: "h" — must be empty or unset`,
      ],
    );
  });

  it("takes its level from the pack config, restricted by default", () => {
    assert.equal(config.level, "restricted");
    const obj = workload("Deployment");
    delete obj.spec.template.spec.securityContext.seccompProfile;
    assert.equal(checkPodSecurity(obj, config).length, 1);
    assert.deepEqual(checkPodSecurity(obj, { ...config, level: "baseline" }), []);
  });
});
