/**
 * Container images the program runs itself (outside Helm charts, whose images their pinned versions fix):
 * pinned by tag, each with where the tag was seen. Facts, no logic.
 */

/**
 * PostgreSQL 17 of the CloudNativePG project: the in-cluster audit database's instances and the RDS role
 * bootstrap Job's `psql`. The `system` flavour on Debian trixie; `17.6-system-trixie` is used as a pinned
 * image by public CloudNativePG manifests (found with the search tool, 2026-12-05). CloudNativePG 1.30.0 (the
 * pinned operator) supports PostgreSQL 13 to 18.
 */
export const POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie";

/** The PostgreSQL major version of {@link POSTGRES_IMAGE}, and of the RDS engine (`engineVersion`, parameter group family). */
export const POSTGRES_MAJOR = "17";

/**
 * kubectl with a shell (Alpine): the in-cluster volume snapshot schedule. alpine/k8s tags follow kubectl's
 * version; 1.35.4 is the Kubernetes version of the local control plane's toolchain (tools/toolchain) and is
 * used as a pinned tag by public manifests (found with the search tool, 2026-12-05).
 */
export const KUBECTL_IMAGE = "docker.io/alpine/k8s:1.35.4";
