/**
 * Container images: pinned (a tag other than `latest`, or a digest) and, when the pack config lists
 * registries, pulled only from them.
 */
import { resourcePolicy } from "./define";
import { containersOf, kubeObjectOf, podSpecOf, violation, type KubeObject } from "./kube";

/** An image reference split into registry, repository path, tag and digest. */
export interface ImageRef {
  /** `docker.io` when the reference names none. */
  registry: string;
  /** Registry and path without tag or digest, registry included: `ghcr.io/agentops/agent`, `docker.io/nginx`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImage(image: string): ImageRef {
  const [beforeDigest, digest] = image.split("@", 2) as [string, string | undefined];
  const slash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
  const tag = colon > slash ? beforeDigest.slice(colon + 1) : undefined;
  const path = colon > slash ? beforeDigest.slice(0, colon) : beforeDigest;
  const first = path.split("/")[0]!;
  const hasRegistry =
    path.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return {
    registry: hasRegistry ? first : "docker.io",
    repository: hasRegistry ? path : `docker.io/${path}`,
    tag,
    digest,
  };
}

/** Every container image of a workload with the path of its field. */
function images(obj: KubeObject): { path: string; image: unknown }[] {
  const pod = podSpecOf(obj);
  return pod ? containersOf(pod).map((c) => ({ path: `${c.path}.image`, image: c.container.image })) : [];
}

export function checkImageTags(obj: KubeObject): string[] {
  return images(obj).flatMap(({ path, image }) => {
    if (typeof image !== "string" || image === "")
      return [violation(path, image, "must be an image reference with a tag or digest")];
    const ref = parseImage(image);
    if (ref.digest) return [];
    if (ref.tag === undefined)
      return [violation(path, image, "must name a tag or digest, e.g. registry/app:1.2.3")];
    if (ref.tag === "latest")
      return [violation(path, image, "must be pinned to a tag other than latest, or a digest")];
    return [];
  });
}

export interface ImageRegistriesConfig {
  /** Registries or registry paths (`ghcr.io/agentops`); empty allows any. */
  allowedRegistries: string[];
}

export function checkImageRegistries(obj: KubeObject, config: ImageRegistriesConfig): string[] {
  if (config.allowedRegistries.length === 0) return [];
  return images(obj).flatMap(({ path, image }) => {
    if (typeof image !== "string") return [];
    const { registry, repository } = parseImage(image);
    const allowed = config.allowedRegistries.some((r) => registry === r || repository.startsWith(`${r}/`));
    return allowed ? [] : [violation(path, image, `must come from ${config.allowedRegistries.join(", ")}`)];
  });
}

export const imageTags = resourcePolicy<Record<string, never>>({
  name: "image-tags",
  description: "Container images are pinned: a tag other than latest, or a digest.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  check: (resource) => {
    const obj = kubeObjectOf(resource.type, resource.props);
    return obj ? checkImageTags(obj) : [];
  },
});

export const imageRegistries = resourcePolicy<ImageRegistriesConfig>({
  name: "image-registries",
  description: "Container images come from the registries the pack config allows (none listed: any).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: { allowedRegistries: { type: "array", items: { type: "string" }, default: [] } },
  },
  check: (resource, config) => {
    const obj = kubeObjectOf(resource.type, resource.props);
    return obj ? checkImageRegistries(obj, config) : [];
  },
});
