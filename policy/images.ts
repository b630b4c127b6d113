/**
 * Container images: references the container runtime can parse, pinned (a tag other than `latest`, or a
 * digest) and, when the pack config lists registries, pulled only from them.
 */
import { parseImageReference, type ImageReference } from "@agentops/components/model";
import { resourcePolicy } from "./define";
import { containersOf, kubeObjectOf, podSpecOf, violation, type KubeObject } from "./kube";

/** An image reference split into registry, repository path, tag and digest. */
export type ImageRef = ImageReference;

/**
 * An image reference's parts, as containerd parses it (the distribution reference grammar, shared with the
 * configuration's check: components/src/lib/image-ref.ts); `undefined` for a reference it cannot parse.
 */
export function parseImage(image: string): ImageRef | undefined {
  const parsed = parseImageReference(image);
  return parsed.ok ? parsed.ref : undefined;
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
    const parsed = parseImageReference(image);
    if (!parsed.ok) {
      return [
        violation(
          path,
          image,
          `must be an image reference the container runtime can parse, e.g. registry/app:1.2.3 (this one ${parsed.error})`,
        ),
      ];
    }
    const ref = parsed.ref;
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
    // An image that does not parse is image-tags' finding.
    const ref = parseImage(image);
    if (!ref) return [];
    const { registry, repository } = ref;
    const allowed = config.allowedRegistries.some((r) => registry === r || repository.startsWith(`${r}/`));
    return allowed ? [] : [violation(path, image, `must come from ${config.allowedRegistries.join(", ")}`)];
  });
}

export const imageTags = resourcePolicy<Record<string, never>>({
  name: "image-tags",
  description:
    "Container images are valid references (the distribution grammar) and pinned: a tag other than latest, or a digest.",
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
