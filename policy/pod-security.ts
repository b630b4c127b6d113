/**
 * Pod security: the Pod Security Standards as the Kubernetes 1.35 API server's admission plugin judges them
 * (k8s.io/pod-security-admission, `policy/check_*.go` at v0.35, each check at the newest version ≤ 1.35),
 * at level `baseline` or `restricted`, for every workload kind and every container (init, regular,
 * ephemeral) — plus two rules the project adds on its own switches: a read-only root filesystem and CPU/memory
 * requests and limits. policy/README.md has the table of controls with the version that introduced or last
 * changed each, and the test that covers it.
 */
import { resourcePolicy, type ResourceInput } from "./define";
import {
  asArray,
  containersOf,
  isRecord,
  kubeObjectOf,
  podSpecOf,
  violation,
  type ContainerAt,
  type KubeObject,
  type PodSpecAt,
} from "./kube";

export const POD_SECURITY_LEVELS = ["baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];
/** A level a namespace can enforce (`pod-security.kubernetes.io/enforce`); `privileged` admits everything. */
export const NAMESPACE_LEVELS = ["privileged", ...POD_SECURITY_LEVELS] as const;
export type NamespaceLevel = (typeof NAMESPACE_LEVELS)[number];

/** Volume sources `restricted` allows (check_restrictedVolumes.go; `image` since 1.33). */
export const ALLOWED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/** Sysctls `baseline` allows (check_sysctls.go, the 1.32 set: the newest at or below 1.35). */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

/** Capabilities `baseline` lets a container add (check_capabilities_baseline.go). */
export const BASELINE_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

/** SELinux types `baseline` allows (check_seLinuxOptions.go, 1.31: `container_engine_t` added). */
export const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const PROFILE_TYPES = ["RuntimeDefault", "Localhost"];
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export interface PodSecurityConfig {
  /**
   * The Pod Security Standards level to check: `restricted` includes `baseline`.
   * @default "restricted"
   */
  level: PodSecurityLevel;
  /** Also require `readOnlyRootFilesystem: true` (the project's rule, not the standard's). @default true */
  requireReadOnlyRootFilesystem: boolean;
  /** Also require CPU and memory requests and limits on regular and init containers. @default true */
  requireResources: boolean;
  /** Namespaces not checked (for example where a chart's node agents must run privileged). @default [] */
  exemptNamespaces: string[];
  /**
   * The level each namespace enforces, where it is not `level`: pods there are judged at their namespace's
   * level as admission judges them (`privileged`: no control of the standard). The offline runner adds the
   * levels the Namespace objects it sees declare (their `pod-security.kubernetes.io/enforce` labels), which win
   * over these. E.g. `{ "kube-system": "privileged" }`: EKS leaves kube-system unlabelled, and an unlabelled
   * namespace is privileged (admission's defaults). @default {}
   */
  namespaceLevels?: Record<string, NamespaceLevel>;
}

/** The level a pod in `namespace` is judged at: its namespace's (`namespaceLevels`), else `level`. */
export function podSecurityLevelOf(namespace: string, config: PodSecurityConfig): NamespaceLevel {
  return config.namespaceLevels?.[namespace] ?? config.level ?? "restricted";
}

/** A pod as the controls see it. */
interface Pod {
  spec: Record<string, unknown>;
  /** Path of the pod spec in the object, e.g. `spec.template.spec`. */
  path: string;
  securityContext: Record<string, unknown>;
  annotations: Record<string, unknown>;
  metadataPath: string;
  containers: ContainerAt[];
  /** `spec.os.name: windows`: restricted's Linux-only controls exempt it (since 1.25). */
  windows: boolean;
  /** `spec.hostUsers: false`: a user namespace, which relaxes some controls (since 1.35 unconditionally). */
  userNamespace: boolean;
}

/** One control of the standard: the Kubernetes check it mirrors and the version that last changed it. */
export interface PodSecurityControl {
  /** The check's ID in k8s.io/pod-security-admission (`policy/check_<id>.go`). */
  id: string;
  level: PodSecurityLevel;
  /** The Kubernetes version that introduced the control or last changed its rule, e.g. "1.33". */
  since: string;
  /** What that version introduced or changed. */
  change: string;
  /** Baseline controls this restricted control replaces at `restricted`. */
  overrides?: string[];
  check(pod: Pod): string[];
}

const sc = (c: ContainerAt): Record<string, unknown> =>
  isRecord(c.container.securityContext) ? c.container.securityContext : {};
const scPath = (c: ContainerAt) => `${c.path}.securityContext`;
const record = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined);

/** The controls, baseline then restricted, in the order of the standard's page. */
export const POD_SECURITY_CONTROLS: readonly PodSecurityControl[] = [
  {
    id: "windowsHostProcess",
    level: "baseline",
    since: "1.0",
    change: "Windows HostProcess pods and containers forbidden",
    check: (pod) => {
      const out: string[] = [];
      const at = (s: Record<string, unknown>, path: string) => {
        if (record(s.windowsOptions)?.hostProcess === true) {
          out.push(violation(`${path}.windowsOptions.hostProcess`, true, "must be false or unset"));
        }
      };
      at(pod.securityContext, `${pod.path}.securityContext`);
      for (const c of pod.containers) at(sc(c), scPath(c));
      return out;
    },
  },
  {
    id: "hostNamespaces",
    level: "baseline",
    since: "1.0",
    change: "hostNetwork, hostPID, hostIPC forbidden",
    check: (pod) =>
      ["hostNetwork", "hostPID", "hostIPC"]
        .filter((field) => pod.spec[field] === true)
        .map((field) => violation(`${pod.path}.${field}`, true, "must be false or unset")),
  },
  {
    id: "privileged",
    level: "baseline",
    since: "1.0",
    change: "privileged containers forbidden",
    check: (pod) =>
      pod.containers
        .filter((c) => sc(c).privileged === true)
        .map((c) => violation(`${scPath(c)}.privileged`, true, "must be false or unset")),
  },
  {
    id: "capabilities_baseline",
    level: "baseline",
    since: "1.0",
    change: "only the default capabilities may be added",
    check: (pod) =>
      pod.containers.flatMap((c) => {
        const add = asArray(record(sc(c).capabilities)?.add);
        return add.some((cap) => !BASELINE_CAPABILITIES.includes(cap as string))
          ? [
              violation(
                `${scPath(c)}.capabilities.add`,
                add,
                `may only add ${BASELINE_CAPABILITIES.join(", ")}`,
              ),
            ]
          : [];
      }),
  },
  {
    id: "hostPathVolumes",
    level: "baseline",
    since: "1.0",
    change: "hostPath volumes forbidden",
    check: (pod) =>
      asArray(pod.spec.volumes)
        .filter(isRecord)
        .filter((v) => v.hostPath !== undefined && v.hostPath !== null)
        .map((v) =>
          violation(`${volumePath(pod, v)}.hostPath`, v.hostPath, "volume type hostPath is not allowed"),
        ),
  },
  {
    id: "hostPorts",
    level: "baseline",
    since: "1.0",
    change: "host ports forbidden",
    check: (pod) =>
      pod.containers.flatMap((c) =>
        asArray(c.container.ports).flatMap((port, i) => {
          const hostPort = record(port)?.hostPort;
          return hostPort !== undefined && hostPort !== 0
            ? [violation(`${c.path}.ports[${i}].hostPort`, hostPort, "must be 0 or unset")]
            : [];
        }),
      ),
  },
  {
    id: "hostProbesAndHostLifecycle",
    level: "baseline",
    since: "1.34",
    change: "new: probes and lifecycle handlers may not set `host`",
    check: (pod) =>
      pod.containers.flatMap((c) => {
        const handlers: [string, unknown][] = [
          ["livenessProbe", c.container.livenessProbe],
          ["readinessProbe", c.container.readinessProbe],
          ["startupProbe", c.container.startupProbe],
          ["lifecycle.postStart", record(c.container.lifecycle)?.postStart],
          ["lifecycle.preStop", record(c.container.lifecycle)?.preStop],
        ];
        return handlers.flatMap(([name, handler]) =>
          ["httpGet", "tcpSocket"].flatMap((action) => {
            const host = record(record(handler)?.[action])?.host;
            return host !== undefined && host !== ""
              ? [violation(`${c.path}.${name}.${action}.host`, host, "must be empty or unset")]
              : [];
          }),
        );
      }),
  },
  {
    id: "appArmorProfile",
    level: "baseline",
    since: "1.30",
    change: "the `appArmorProfile` fields (GA in 1.30) judged like the beta annotations",
    check: (pod) => {
      const out: string[] = [];
      const at = (s: Record<string, unknown>, path: string) => {
        const profile = record(s.appArmorProfile);
        if (profile && !PROFILE_TYPES.includes(profile.type as string)) {
          out.push(
            violation(`${path}.appArmorProfile.type`, profile.type, "must be RuntimeDefault or Localhost"),
          );
        }
      };
      at(pod.securityContext, `${pod.path}.securityContext`);
      for (const c of pod.containers) at(sc(c), scPath(c));
      for (const [key, value] of Object.entries(pod.annotations)) {
        if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
        const ok =
          value === "" ||
          value === "runtime/default" ||
          (typeof value === "string" && value.startsWith("localhost/"));
        if (!ok) {
          out.push(
            violation(
              `${pod.metadataPath}.annotations[${JSON.stringify(key)}]`,
              value,
              "must be runtime/default, localhost/<profile> or empty",
            ),
          );
        }
      }
      return out;
    },
  },
  {
    id: "seLinuxOptions",
    level: "baseline",
    since: "1.31",
    change: "type `container_engine_t` allowed",
    check: (pod) => {
      const out: string[] = [];
      const at = (s: Record<string, unknown>, path: string) => {
        const se = record(s.seLinuxOptions);
        if (!se) return;
        const type = se.type ?? "";
        if (!SELINUX_TYPES.includes(type as string)) {
          out.push(
            violation(
              `${path}.seLinuxOptions.type`,
              se.type,
              `must be unset or one of ${SELINUX_TYPES.filter(Boolean).join(", ")}`,
            ),
          );
        }
        for (const field of ["user", "role"]) {
          if (se[field] !== undefined && se[field] !== "") {
            out.push(violation(`${path}.seLinuxOptions.${field}`, se[field], "must be unset"));
          }
        }
      };
      at(pod.securityContext, `${pod.path}.securityContext`);
      for (const c of pod.containers) at(sc(c), scPath(c));
      return out;
    },
  },
  {
    id: "procMount",
    level: "baseline",
    since: "1.35",
    change: "any procMount allowed in a user namespace (`hostUsers: false`)",
    check: (pod) => (pod.userNamespace ? [] : procMount(pod)),
  },
  {
    id: "seccompProfile_baseline",
    level: "baseline",
    since: "1.19",
    change: "the `seccompProfile` fields: when set, RuntimeDefault or Localhost",
    check: (pod) => {
      const out: string[] = [];
      const at = (s: Record<string, unknown>, path: string) => {
        const profile = record(s.seccompProfile);
        if (profile && !PROFILE_TYPES.includes(profile.type as string)) {
          out.push(
            violation(`${path}.seccompProfile.type`, profile.type, "must be RuntimeDefault or Localhost"),
          );
        }
      };
      at(pod.securityContext, `${pod.path}.securityContext`);
      for (const c of pod.containers) at(sc(c), scPath(c));
      return out;
    },
  },
  {
    id: "sysctls",
    level: "baseline",
    since: "1.32",
    change: "net.ipv4.tcp_rmem and net.ipv4.tcp_wmem added to the safe set",
    check: (pod) =>
      asArray(pod.securityContext.sysctls).flatMap((sysctl, i) => {
        const name = record(sysctl)?.name;
        return typeof name === "string" && SAFE_SYSCTLS.includes(name)
          ? []
          : [
              violation(
                `${pod.path}.securityContext.sysctls[${i}].name`,
                name,
                `must be a safe sysctl: ${SAFE_SYSCTLS.join(", ")}`,
              ),
            ];
      }),
  },
  {
    id: "restrictedVolumes",
    level: "restricted",
    since: "1.33",
    change: "image volumes allowed",
    overrides: ["hostPathVolumes"],
    check: (pod) =>
      asArray(pod.spec.volumes)
        .filter(isRecord)
        .flatMap((volume) => {
          const types = Object.keys(volume).filter((k) => k !== "name" && volume[k] != null);
          // Kubernetes admits a volume as soon as one allowed source is set.
          if (types.some((t) => ALLOWED_VOLUME_TYPES.includes(t))) return [];
          return types.map((type) =>
            violation(
              `${volumePath(pod, volume)}.${type}`,
              volume[type],
              `volume type ${type} is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`,
            ),
          );
        }),
  },
  {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    since: "1.25",
    change: "Windows pods (`spec.os.name: windows`) exempt",
    check: (pod) =>
      pod.windows
        ? []
        : pod.containers
            .filter((c) => sc(c).allowPrivilegeEscalation !== false)
            .map((c) =>
              violation(
                `${scPath(c)}.allowPrivilegeEscalation`,
                sc(c).allowPrivilegeEscalation,
                "must be false",
              ),
            ),
  },
  {
    id: "runAsNonRoot",
    level: "restricted",
    since: "1.35",
    change: "pods in a user namespace (`hostUsers: false`) exempt",
    check: (pod) => {
      if (pod.userNamespace) return [];
      const out: string[] = [];
      const podValue = pod.securityContext.runAsNonRoot;
      // An explicit false anywhere fails the pod, whatever the containers set (check_runAsNonRoot.go).
      if (podValue === false) {
        out.push(
          violation(
            `${pod.path}.securityContext.runAsNonRoot`,
            false,
            "must be true or unset: false here fails the pod even when every container sets true",
          ),
        );
      }
      for (const c of pod.containers) {
        const value = sc(c).runAsNonRoot;
        if (value === false) {
          out.push(violation(`${scPath(c)}.runAsNonRoot`, false, "must be true or unset"));
        } else if (value === undefined || value === null) {
          // With the pod at false, that line already says what to fix.
          if (podValue !== true && podValue !== false) {
            out.push(
              violation(
                `${scPath(c)}.runAsNonRoot`,
                undefined,
                "must be true (here or in the pod's securityContext)",
              ),
            );
          }
        }
      }
      return out;
    },
  },
  {
    id: "runAsUser",
    level: "restricted",
    since: "1.35",
    change: "pods in a user namespace (`hostUsers: false`) exempt; control introduced in 1.23",
    check: (pod) => {
      if (pod.userNamespace) return [];
      const out: string[] = [];
      if (pod.securityContext.runAsUser === 0) {
        out.push(violation(`${pod.path}.securityContext.runAsUser`, 0, "must not be 0 (root)"));
      }
      for (const c of pod.containers) {
        if (sc(c).runAsUser === 0) out.push(violation(`${scPath(c)}.runAsUser`, 0, "must not be 0 (root)"));
      }
      return out;
    },
  },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    since: "1.25",
    change: "Windows pods exempt",
    overrides: ["seccompProfile_baseline"],
    check: (pod) => {
      if (pod.windows) return [];
      const out: string[] = [];
      const podProfile = record(pod.securityContext.seccompProfile);
      if (podProfile && !PROFILE_TYPES.includes(podProfile.type as string)) {
        out.push(
          violation(
            `${pod.path}.securityContext.seccompProfile.type`,
            podProfile.type,
            "must be RuntimeDefault or Localhost",
          ),
        );
      }
      const podSet = podProfile !== undefined && PROFILE_TYPES.includes(podProfile.type as string);
      for (const c of pod.containers) {
        const profile = record(sc(c).seccompProfile);
        if (profile) {
          if (!PROFILE_TYPES.includes(profile.type as string)) {
            out.push(
              violation(
                `${scPath(c)}.seccompProfile.type`,
                profile.type,
                "must be RuntimeDefault or Localhost",
              ),
            );
          }
        } else if (!podSet && !podProfile) {
          // A pod-level profile of a wrong type is reported above: fixing it fixes the containers too.
          out.push(
            violation(
              `${scPath(c)}.seccompProfile.type`,
              undefined,
              "must be RuntimeDefault or Localhost (here or in the pod's securityContext)",
            ),
          );
        }
      }
      return out;
    },
  },
  {
    id: "capabilities_restricted",
    level: "restricted",
    since: "1.25",
    change: "Windows pods exempt; control introduced in 1.22",
    overrides: ["capabilities_baseline"],
    check: (pod) => {
      if (pod.windows) return [];
      return pod.containers.flatMap((c) => {
        const caps = record(sc(c).capabilities) ?? {};
        const out: string[] = [];
        if (!asArray(caps.drop).includes("ALL")) {
          out.push(violation(`${scPath(c)}.capabilities.drop`, caps.drop, "must include ALL"));
        }
        if (asArray(caps.add).some((cap) => cap !== "NET_BIND_SERVICE")) {
          out.push(violation(`${scPath(c)}.capabilities.add`, caps.add, "may only add NET_BIND_SERVICE"));
        }
        return out;
      });
    },
  },
  {
    id: "procMount_restricted",
    level: "restricted",
    since: "1.35",
    change: "new: Default /proc required even in a user namespace",
    overrides: ["procMount"],
    check: procMount,
  },
];

function procMount(pod: Pod): string[] {
  return pod.containers.flatMap((c) => {
    const value = sc(c).procMount;
    return value !== undefined && value !== null && value !== "Default"
      ? [violation(`${scPath(c)}.procMount`, value, "must be Default or unset")]
      : [];
  });
}

function volumePath(pod: Pod, volume: Record<string, unknown>): string {
  const name = typeof volume.name === "string" ? volume.name : "?";
  return `${pod.path}.volumes[${JSON.stringify(name)}]`;
}

/** The controls that apply at `level`, with those a restricted control replaces left out. */
export function controlsAt(level: PodSecurityLevel): PodSecurityControl[] {
  const applicable = POD_SECURITY_CONTROLS.filter((c) => level === "restricted" || c.level === "baseline");
  const overridden = new Set(applicable.flatMap((c) => c.overrides ?? []));
  return applicable.filter((c) => !overridden.has(c.id));
}

function podOf(at: PodSpecAt): Pod {
  return {
    spec: at.spec,
    path: at.path,
    securityContext: record(at.spec.securityContext) ?? {},
    annotations: record(at.metadata.annotations) ?? {},
    // The pod's metadata sits next to its spec: `metadata` of a Pod, `spec.template.metadata` of a Deployment.
    metadataPath: at.path.replace(/spec$/, "metadata"),
    containers: containersOf(at),
    windows: record(at.spec.os)?.name === "windows",
    userNamespace: at.spec.hostUsers === false,
  };
}

/**
 * Every violation in one Kubernetes object, of the standard at its namespace's level ({@link podSecurityLevelOf}:
 * `config.namespaceLevels`, else `config.level`) and of the project's extra
 * rules that are switched on; `[]` for objects that run no pods or sit in an exempt namespace. Pure: works on
 * any object, from a stack, a YAML file or a rendered chart.
 */
export function checkPodSecurity(obj: KubeObject, config: PodSecurityConfig): string[] {
  const namespace = obj.metadata.namespace ?? "default";
  if (config.exemptNamespaces.includes(namespace)) return [];
  const at = podSpecOf(obj);
  if (!at) return [];
  const pod = podOf(at);
  const level = podSecurityLevelOf(namespace, config);
  return [
    ...(level === "privileged" ? [] : controlsAt(level).flatMap((control) => control.check(pod))),
    ...pod.containers.flatMap((c) => projectRules(c, config)),
  ];
}

/** The project's rules on top of the standard, each on its own switch. */
function projectRules(c: ContainerAt, config: PodSecurityConfig): string[] {
  const out: string[] = [];
  if (config.requireReadOnlyRootFilesystem && sc(c).readOnlyRootFilesystem !== true) {
    out.push(violation(`${scPath(c)}.readOnlyRootFilesystem`, sc(c).readOnlyRootFilesystem, "must be true"));
  }
  // Ephemeral containers may not declare resources; they share the pod's.
  if (config.requireResources && c.list !== "ephemeralContainers") {
    const resources = record(c.container.resources) ?? {};
    for (const kind of ["requests", "limits"]) {
      const values = record(resources[kind]) ?? {};
      for (const r of ["cpu", "memory"]) {
        if (values[r] === undefined)
          out.push(violation(`${c.path}.resources.${kind}.${r}`, undefined, "must be set"));
      }
    }
  }
  return out;
}

export const podSecurity = resourcePolicy<PodSecurityConfig>({
  name: "pod-security",
  description:
    "Workloads meet the Pod Security Standards (restricted by default) as Kubernetes 1.35 admission judges them, with a read-only root filesystem and CPU/memory requests and limits.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      level: { type: "string", enum: [...POD_SECURITY_LEVELS], default: "restricted" },
      requireReadOnlyRootFilesystem: { type: "boolean", default: true },
      requireResources: { type: "boolean", default: true },
      exemptNamespaces: { type: "array", items: { type: "string" }, default: [] },
      namespaceLevels: {
        type: "object",
        additionalProperties: { type: "string", enum: [...NAMESPACE_LEVELS] },
        default: {},
      },
    },
  },
  check: (resource: ResourceInput, config) => {
    const obj = kubeObjectOf(resource.type, resource.props);
    return obj ? checkPodSecurity(obj, config) : [];
  },
});
