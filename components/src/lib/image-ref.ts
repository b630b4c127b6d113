/**
 * Container image references in the grammar containerd and the kubelet parse them with: the distribution
 * reference grammar (github.com/distribution/reference, `regexp.go` and `normalize.go`), so an image the runtime
 * would refuse (`InvalidImageName`, the pod never starts) is refused before deploy:
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [ domain "/" ] path-component [ "/" path-component ]*      (at most 255 characters)
 *   domain      := host [ ":" port ]       host: DNS labels of letters, digits and '-', dot-separated, or [IPv6]
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*   (lower case only)
 *   tag         := [\w][\w.-]{0,127}
 *   digest      := algorithm ":" hex       algorithm: [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
 *
 * The first path component is a registry host only when it contains `.` or `:` or is `localhost`
 * (`splitDockerDomain`); otherwise the image is on Docker Hub. A registered digest algorithm has a fixed
 * length (github.com/opencontainers/go-digest: sha256 64 hex characters, sha384 96, sha512 128); others need
 * at least 32.
 */

/** An image reference split into its parts. */
export interface ImageReference {
  /** The registry host (and port), `docker.io` when the reference names none. */
  registry: string;
  /** Registry and path without tag or digest: `ghcr.io/agentops/agent`, `docker.io/nginx`. */
  repository: string;
  tag: string | undefined;
  /** `sha256:<hex>` */
  digest: string | undefined;
}

const NAME_TOTAL_LENGTH_MAX = 255;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
/** Hex lengths of the algorithms go-digest registers. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** The reference's parts, or what is wrong with it (one sentence, for `must be …` messages). */
export type ImageReferenceParse = { ok: true; ref: ImageReference } | { ok: false; error: string };

/** Parses an image reference as containerd does. Never throws. */
export function parseImageReference(image: string): ImageReferenceParse {
  const fail = (error: string): ImageReferenceParse => ({ ok: false, error });
  if (image === "") return fail("is empty");
  if (/\s/.test(image)) return fail("contains white space");
  const at = image.indexOf("@");
  const [beforeDigest, digest] = at < 0 ? [image, undefined] : [image.slice(0, at), image.slice(at + 1)];
  if (digest !== undefined) {
    const m = DIGEST.exec(digest);
    if (!m)
      return fail(`has an invalid digest ${JSON.stringify(digest)} (algorithm:hex, e.g. sha256:<64 hex>)`);
    const want = DIGEST_HEX_LENGTH[m[1]!];
    if (want !== undefined && m[2]!.length !== want) {
      return fail(`has a ${m[1]} digest of ${m[2]!.length} hex characters (${m[1]} has ${want})`);
    }
  }
  const slash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
  const tag = colon > slash ? beforeDigest.slice(colon + 1) : undefined;
  const name = colon > slash ? beforeDigest.slice(0, colon) : beforeDigest;
  if (tag !== undefined && !TAG.test(tag)) {
    return fail(
      `has an invalid tag ${JSON.stringify(tag)} (1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-')`,
    );
  }
  if (name === "") return fail("has no repository name");
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(`has a repository name of ${name.length} characters (at most ${NAME_TOTAL_LENGTH_MAX})`);
  }
  const parts = name.split("/");
  const first = parts[0]!;
  const hasDomain = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasDomain && !DOMAIN.test(first)) return fail(`has an invalid registry host ${JSON.stringify(first)}`);
  const path = hasDomain ? parts.slice(1) : parts;
  for (const component of path) {
    if (component === "") return fail("has an empty path component ('//' or a trailing '/')");
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        component.toLowerCase() !== component && PATH_COMPONENT.test(component.toLowerCase())
          ? `has upper case in its repository path ${JSON.stringify(path.join("/"))} (repository names must be lower case)`
          : `has an invalid repository path component ${JSON.stringify(component)} (lower-case letters and digits, separated by '.', '_', '__' or '-')`,
      );
    }
  }
  const registry = hasDomain ? first : "docker.io";
  return { ok: true, ref: { registry, repository: `${registry}/${path.join("/")}`, tag, digest } };
}
