import { z } from "zod";
import { bool, integer, quantity, text } from "./schema";

/** Prometheus retention, e.g. `15d` or `12h`. */
const duration = () =>
  z
    .string({ error: "must be a Prometheus duration, e.g. 15d or 12h" })
    .regex(/^[1-9]\d*(ms|s|m|h|d|w|y)$/, "must be a Prometheus duration, e.g. 15d or 12h");

/** `agentops:platform`: which add-ons run and how they are sized; defaults next to each option. */
export const platformSchema = z
  .strictObject({
    /** Install the Helm platform at all (off: cluster, tenants and agents only). @default true */
    enabled: bool().default(true),
    /**
     * Two or more replicas and a PodDisruptionBudget for the stateless controllers (cert-manager, External
     * Secrets, metrics-server, OTel collector, Grafana, Alertmanager). @default false
     */
    highAvailability: bool().default(false),
    prometheus: z
      .strictObject({
        /** How long samples are kept. @default "15d" */
        retention: duration().default("15d"),
        /** Persistent volume of each Prometheus replica. @default "50Gi" */
        storageSize: quantity("storage").default("50Gi"),
        /** Prometheus replicas (each scrapes everything). @default 1 */
        replicas: integer(1, 5).default(1),
      })
      .default({ retention: "15d", storageSize: "50Gi", replicas: 1 }),
    loki: z
      .strictObject({
        /** `singleBinary` on a volume (dev), or `simpleScalable` on the cluster's S3 bucket. @default "singleBinary" */
        mode: z
          .enum(["singleBinary", "simpleScalable"], { error: "must be singleBinary or simpleScalable" })
          .default("singleBinary"),
        /** Log retention in days. @default 7 */
        retentionDays: integer(1, 3650).default(7),
        /** Volume of the single binary, or of each write/backend replica. @default "20Gi" */
        storageSize: quantity("storage").default("20Gi"),
      })
      .default({ mode: "singleBinary", retentionDays: 7, storageSize: "20Gi" }),
    jaeger: z
      .strictObject({
        /** `memory` (dev only: traces die with the pod) or `badger` on a persistent volume. @default "badger" */
        storage: z.enum(["memory", "badger"], { error: "must be memory or badger" }).default("badger"),
        /** Badger volume. @default "20Gi" */
        storageSize: quantity("storage").default("20Gi"),
        /** Trace retention in hours (Badger TTL). @default 72 */
        retentionHours: integer(1, 8760).default(72),
      })
      .default({ storage: "badger", storageSize: "20Gi", retentionHours: 72 }),
    vault: z
      .strictObject({
        /** HA with integrated storage (raft); off: one standalone server. @default false */
        ha: bool().default(false),
        /** Raft voters when `ha`; odd, for quorum. @default 3 */
        replicas: integer(3, 7)
          .refine((n) => n % 2 === 1, "must be an odd number from 3 to 7 (raft quorum)")
          .default(3),
        /** Data volume of each server. @default "10Gi" */
        storageSize: quantity("storage").default("10Gi"),
      })
      .default({ ha: false, replicas: 3, storageSize: "10Gi" }),
    certManager: z
      .strictObject({
        /** Registration e-mail for Let's Encrypt; set it to get the ACME staging and production issuers. */
        acmeEmail: text("an e-mail address")
          .refine((v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "must be an e-mail address")
          .optional(),
      })
      .default({}),
  })
  .default({
    enabled: true,
    highAvailability: false,
    prometheus: { retention: "15d", storageSize: "50Gi", replicas: 1 },
    loki: { mode: "singleBinary", retentionDays: 7, storageSize: "20Gi" },
    jaeger: { storage: "badger", storageSize: "20Gi", retentionHours: 72 },
    vault: { ha: false, replicas: 3, storageSize: "10Gi" },
    certManager: {},
  });

export type PlatformConfig = z.infer<typeof platformSchema>;
