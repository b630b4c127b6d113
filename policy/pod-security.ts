/**
 * Pod security: the Pod Security Standards `restricted` profile (which includes `baseline`), as written in
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ (v1.35), for every workload kind and
 * every container (regular, init, ephemeral); plus a read-only root filesystem and CPU/memory requests and
 * limits, which the project requires on top.
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

/** Volume types the restricted profile allows. */
export const ALLOWED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/** Sysctls the baseline profile allows (the "safe" set, as of v1.32). */
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

const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const PROFILE_TYPES = ["RuntimeDefault", "Localhost"];
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export interface PodSecurityConfig {
  /** Also require `readOnlyRootFilesystem: true`. */
  requireReadOnlyRootFilesystem: boolean;
  /** Also require CPU and memory requests and limits on regular and init containers. */
  requireResources: boolean;
  /** Namespaces not checked (for example where a chart's node agents must run privileged). */
  exemptNamespaces: string[];
}

/** Every violation of the profile in one Kubernetes object; `[]` for objects that run no pods. */
export function checkPodSecurity(obj: KubeObject, config: PodSecurityConfig): string[] {
  if (config.exemptNamespaces.includes(obj.metadata.namespace ?? "default")) return [];
  const pod = podSpecOf(obj);
  if (!pod) return [];
  return [...podLevel(pod), ...containersOf(pod).flatMap((c) => containerLevel(pod, c, config))];
}

function podLevel(pod: PodSpecAt): string[] {
  const out: string[] = [];
  const p = pod.path;
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod.spec[field] === true) out.push(violation(`${p}.${field}`, true, "must be false or unset"));
  }
  const sc = isRecord(pod.spec.securityContext) ? pod.spec.securityContext : {};
  out.push(...commonSecurityContext(sc, `${p}.securityContext`));
  for (const [i, sysctl] of asArray(sc.sysctls).entries()) {
    const name = isRecord(sysctl) ? sysctl.name : undefined;
    if (typeof name !== "string" || !SAFE_SYSCTLS.includes(name)) {
      out.push(
        violation(
          `${p}.securityContext.sysctls[${i}].name`,
          name,
          `must be a safe sysctl: ${SAFE_SYSCTLS.join(", ")}`,
        ),
      );
    }
  }
  for (const volume of asArray(pod.spec.volumes).filter(isRecord)) {
    const name = typeof volume.name === "string" ? volume.name : "?";
    const types = Object.keys(volume).filter((k) => k !== "name");
    for (const type of types.filter((t) => !ALLOWED_VOLUME_TYPES.includes(t))) {
      out.push(
        violation(
          `${p}.volumes[${JSON.stringify(name)}].${type}`,
          volume[type],
          `volume type ${type} is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`,
        ),
      );
    }
  }
  const annotations = isRecord(pod.metadata.annotations) ? pod.metadata.annotations : {};
  // The pod's metadata sits next to its spec: `metadata` of a Pod, `spec.template.metadata` of a Deployment.
  const metadataPath = pod.path.replace(/spec$/, "metadata");
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
    if (value !== "runtime/default" && !(typeof value === "string" && value.startsWith("localhost/"))) {
      out.push(
        violation(
          `${metadataPath}.annotations[${JSON.stringify(key)}]`,
          value,
          "must be runtime/default or localhost/<profile>",
        ),
      );
    }
  }
  return out;
}

/** Checks that apply alike to the pod's and to a container's securityContext. */
function commonSecurityContext(sc: Record<string, unknown>, at: string): string[] {
  const out: string[] = [];
  const windows = isRecord(sc.windowsOptions) ? sc.windowsOptions : {};
  if (windows.hostProcess === true) {
    out.push(violation(`${at}.windowsOptions.hostProcess`, true, "must be false or unset"));
  }
  const se = isRecord(sc.seLinuxOptions) ? sc.seLinuxOptions : {};
  if (se.type !== undefined && !SELINUX_TYPES.includes(se.type as string)) {
    out.push(
      violation(
        `${at}.seLinuxOptions.type`,
        se.type,
        `must be unset or one of ${SELINUX_TYPES.filter(Boolean).join(", ")}`,
      ),
    );
  }
  for (const field of ["user", "role"]) {
    if (se[field] !== undefined && se[field] !== "") {
      out.push(violation(`${at}.seLinuxOptions.${field}`, se[field], "must be unset"));
    }
  }
  const appArmor = isRecord(sc.appArmorProfile) ? sc.appArmorProfile : undefined;
  if (appArmor && !PROFILE_TYPES.includes(appArmor.type as string)) {
    out.push(violation(`${at}.appArmorProfile.type`, appArmor.type, "must be RuntimeDefault or Localhost"));
  }
  const seccomp = isRecord(sc.seccompProfile) ? sc.seccompProfile : undefined;
  if (seccomp && !PROFILE_TYPES.includes(seccomp.type as string)) {
    out.push(violation(`${at}.seccompProfile.type`, seccomp.type, "must be RuntimeDefault or Localhost"));
  }
  if (sc.runAsUser === 0) out.push(violation(`${at}.runAsUser`, 0, "must not be 0 (root)"));
  return out;
}

function containerLevel(pod: PodSpecAt, c: ContainerAt, config: PodSecurityConfig): string[] {
  const out: string[] = [];
  const podSc = isRecord(pod.spec.securityContext) ? pod.spec.securityContext : {};
  const sc = isRecord(c.container.securityContext) ? c.container.securityContext : {};
  const at = `${c.path}.securityContext`;
  out.push(...commonSecurityContext(sc, at));

  if (sc.privileged === true) out.push(violation(`${at}.privileged`, true, "must be false or unset"));
  if (sc.allowPrivilegeEscalation !== false) {
    out.push(violation(`${at}.allowPrivilegeEscalation`, sc.allowPrivilegeEscalation, "must be false"));
  }
  const caps = isRecord(sc.capabilities) ? sc.capabilities : {};
  if (!asArray(caps.drop).includes("ALL")) {
    out.push(violation(`${at}.capabilities.drop`, caps.drop, "must include ALL"));
  }
  const added = asArray(caps.add).filter((cap) => cap !== "NET_BIND_SERVICE");
  if (added.length > 0)
    out.push(violation(`${at}.capabilities.add`, caps.add, "may only add NET_BIND_SERVICE"));

  if (sc.procMount !== undefined && sc.procMount !== "Default") {
    out.push(violation(`${at}.procMount`, sc.procMount, "must be Default or unset"));
  }
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (runAsNonRoot !== true) {
    out.push(
      violation(`${at}.runAsNonRoot`, sc.runAsNonRoot, "must be true (here or in the pod's securityContext)"),
    );
  }
  const seccomp = isRecord(sc.seccompProfile)
    ? sc.seccompProfile
    : isRecord(podSc.seccompProfile)
      ? podSc.seccompProfile
      : undefined;
  if (!seccomp) {
    out.push(
      violation(
        `${at}.seccompProfile.type`,
        undefined,
        "must be RuntimeDefault or Localhost (here or in the pod's securityContext)",
      ),
    );
  }
  for (const [i, port] of asArray(c.container.ports).entries()) {
    const hostPort = isRecord(port) ? port.hostPort : undefined;
    if (hostPort !== undefined && hostPort !== 0) {
      out.push(violation(`${c.path}.ports[${i}].hostPort`, hostPort, "must be 0 or unset"));
    }
  }
  if (config.requireReadOnlyRootFilesystem && sc.readOnlyRootFilesystem !== true) {
    out.push(violation(`${at}.readOnlyRootFilesystem`, sc.readOnlyRootFilesystem, "must be true"));
  }
  // Ephemeral containers may not declare resources; they share the pod's.
  if (config.requireResources && c.list !== "ephemeralContainers") {
    const resources = isRecord(c.container.resources) ? c.container.resources : {};
    for (const kind of ["requests", "limits"]) {
      const values = isRecord(resources[kind]) ? resources[kind] : {};
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
    "Workloads meet the Pod Security Standards restricted profile, with a read-only root filesystem and CPU/memory requests and limits.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requireReadOnlyRootFilesystem: { type: "boolean", default: true },
      requireResources: { type: "boolean", default: true },
      exemptNamespaces: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  check: (resource: ResourceInput, config) => {
    const obj = kubeObjectOf(resource.type, resource.props);
    return obj ? checkPodSecurity(obj, config) : [];
  },
});
