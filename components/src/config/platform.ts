import { z } from "zod";
import { bool } from "./schema";

/** `agentops:platform`: which add-ons run and how they are sized. Add-on options are refined per add-on. */
export const platformSchema = z
  .strictObject({
    /** Install the Helm platform (observability, secrets, certificates). @default true */
    enabled: bool().default(true),
  })
  .default({ enabled: true });

export type PlatformConfig = z.infer<typeof platformSchema>;
