/**
 * A small Kubernetes API client for the local control plane: HTTPS with the admin client certificate of a
 * kubeconfig, discovery (kind → resource), server-side apply, get, list, delete. The API server's own answer
 * is kept whole: a refusal is its `Status` message, never a paraphrase.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import { parse } from "yaml";

/** A Kubernetes object as the API reads and writes it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One answer of the API server. `body` is the parsed JSON (or the raw text when it is not JSON). */
export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

/** How the API serves one kind. */
export interface ApiResource {
  /** `group/version` (`v1` for the core group). */
  groupVersion: string;
  kind: string;
  /** The plural resource name in URLs. */
  plural: string;
  namespaced: boolean;
}

/** The API server's `Status` for a refusal. */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** What {@link KubeClient.apply} returns: the applied object, or the API server's refusal. */
export type ApplyResult =
  | { ok: true; object: KubeObject; warnings: string[] }
  | { ok: false; status: number; message: string; reason?: string };

/** Connection settings, as read from a kubeconfig. */
export interface KubeConnection {
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The current context's server and client certificate of a kubeconfig file with embedded data. */
export function readKubeconfig(file: string): KubeConnection {
  const doc = parse(fs.readFileSync(file, "utf8")) as {
    "current-context": string;
    contexts: { name: string; context: { cluster: string; user: string } }[];
    clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
    users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
  };
  const ctx = doc.contexts.find((c) => c.name === doc["current-context"])!.context;
  const cluster = doc.clusters.find((c) => c.name === ctx.cluster)!.cluster;
  const user = doc.users.find((u) => u.name === ctx.user)!.user;
  const b64 = (s: string) => Buffer.from(s, "base64");
  return {
    server: cluster.server,
    ca: b64(cluster["certificate-authority-data"]),
    cert: b64(user["client-certificate-data"]),
    key: b64(user["client-key-data"]),
  };
}

/** `group/version` → the URL prefix of its resources. */
export function apiPrefix(groupVersion: string): string {
  return groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
}

/** A client of one API server. Requests share a keep-alive agent of at most `maxSockets` connections. */
export class KubeClient {
  private readonly agent: https.Agent;
  private readonly url: URL;
  private resources: Map<string, ApiResource> | undefined;

  constructor(
    readonly connection: KubeConnection,
    maxSockets = 16,
  ) {
    this.url = new URL(connection.server);
    this.agent = new https.Agent({
      ca: connection.ca,
      cert: connection.cert,
      key: connection.key,
      keepAlive: true,
      maxSockets,
    });
  }

  /** A client from a kubeconfig file (see {@link readKubeconfig}). */
  static fromKubeconfig(file: string): KubeClient {
    return new KubeClient(readKubeconfig(file));
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One request. `body` is sent as JSON (or as given when a string); the answer is parsed as JSON when it is.
   * Network errors reject; HTTP errors resolve with their status.
   */
  request<T = unknown>(
    method: string,
    urlPath: string,
    options: { body?: unknown; contentType?: string; timeoutMs?: number } = {},
  ): Promise<KubeResponse<T> & { warnings: string[] }> {
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path: urlPath,
          agent: this.agent,
          headers: {
            accept: "application/json",
            ...(payload !== undefined
              ? {
                  "content-type": options.contentType ?? "application/json",
                  "content-length": Buffer.byteLength(payload),
                }
              : {}),
          },
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            const warning = res.headers.warning;
            const warnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).map((w) =>
              w.replace(/^299 - "?|"$/g, ""),
            );
            resolve({ status: res.statusCode ?? 0, body: body as T, warnings });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`${method} ${urlPath}: no answer in ${options.timeoutMs ?? 30_000} ms`)),
      );
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** GET as JSON; `undefined` on 404. @throws Error on any other non-2xx status. */
  async get<T = KubeObject>(urlPath: string): Promise<T | undefined> {
    const r = await this.request<T>("GET", urlPath);
    if (r.status === 404) return undefined;
    if (r.status >= 300) throw new Error(`GET ${urlPath}: ${r.status} ${statusMessage(r.body)}`);
    return r.body;
  }

  /** The items of a list URL. */
  async list<T = KubeObject>(urlPath: string): Promise<T[]> {
    const list = await this.get<{ items: T[] }>(urlPath);
    return list?.items ?? [];
  }

  /**
   * Every kind the server serves, by `group/version/Kind` (all served versions, subresources left out). Cached
   * until {@link refreshDiscovery}. Groups whose discovery fails (an aggregated API without a server) are left
   * out, as kubectl does.
   */
  async discovery(): Promise<Map<string, ApiResource>> {
    if (this.resources) return this.resources;
    const found = new Map<string, ApiResource>();
    const core = await this.get<{ versions: string[] }>("/api");
    const groups = await this.get<{ groups: { versions: { groupVersion: string }[] }[] }>("/apis");
    const versions = [
      ...(core?.versions ?? []),
      ...(groups?.groups ?? []).flatMap((g) => g.versions.map((v) => v.groupVersion)),
    ];
    await Promise.all(
      versions.map(async (gv) => {
        const r = await this.request<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>(
          "GET",
          apiPrefix(gv),
        );
        if (r.status !== 200) return;
        for (const res of r.body.resources ?? []) {
          if (res.name.includes("/")) continue;
          found.set(`${gv}/${res.kind}`, {
            groupVersion: gv,
            kind: res.kind,
            plural: res.name,
            namespaced: res.namespaced,
          });
        }
      }),
    );
    this.resources = found;
    return found;
  }

  /** Forgets the discovery cache (after CRDs are established). */
  refreshDiscovery(): void {
    this.resources = undefined;
  }

  /** How `apiVersion`/`kind` is served, or `undefined` when it is not. */
  async resourceOf(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return (await this.discovery()).get(`${apiVersion}/${kind}`);
  }

  /**
   * The URL of an object (or, without a name, of its collection). A namespaced kind without a namespace goes
   * to `default`, as kubectl does.
   */
  async pathOf(
    obj: Pick<KubeObject, "apiVersion" | "kind" | "metadata">,
    withName = true,
  ): Promise<string | undefined> {
    const res = await this.resourceOf(obj.apiVersion, obj.kind);
    if (!res) return undefined;
    const ns = res.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? "default")}` : "";
    const name = withName && obj.metadata.name ? `/${encodeURIComponent(obj.metadata.name)}` : "";
    return `${apiPrefix(res.groupVersion)}${ns}/${res.plural}${name}`;
  }

  /**
   * Server-side apply of `obj` with field manager `fieldManager` (conflicts forced, as
   * `kubectl apply --server-side --force-conflicts`: a controller's fields are no refusal).
   * @param options.dryRun `All`: the API server validates and admits it, and stores nothing
   */
  async apply(
    obj: KubeObject,
    options: { fieldManager?: string; dryRun?: boolean; subresource?: string } = {},
  ): Promise<ApplyResult> {
    const p = await this.pathOf(obj);
    if (!p) {
      return {
        ok: false,
        status: 404,
        message: `the server does not serve ${obj.kind} in ${obj.apiVersion}`,
        reason: "NotServed",
      };
    }
    const query = new URLSearchParams({ fieldManager: options.fieldManager ?? "agentops", force: "true" });
    if (options.dryRun) query.set("dryRun", "All");
    const r = await this.request<KubeObject | KubeStatus>(
      "PATCH",
      `${p}${options.subresource ? `/${options.subresource}` : ""}?${query}`,
      { body: obj, contentType: "application/apply-patch+yaml" },
    );
    if (r.status >= 200 && r.status < 300)
      return { ok: true, object: r.body as KubeObject, warnings: r.warnings };
    const s = r.body as KubeStatus;
    return {
      ok: false,
      status: r.status,
      message: statusMessage(s),
      ...(s.reason ? { reason: s.reason } : {}),
    };
  }

  /** Deletes an object (foreground propagation); `false` when it was not there. */
  async delete(obj: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<boolean> {
    const p = await this.pathOf(obj);
    if (!p) return false;
    const r = await this.request("DELETE", p, { body: { propagationPolicy: "Background" } });
    if (r.status === 404) return false;
    if (r.status >= 300) throw new Error(`DELETE ${p}: ${r.status} ${statusMessage(r.body)}`);
    return true;
  }
}

/** The message of a `Status` body, or the body itself as text. */
export function statusMessage(body: unknown): string {
  if (body && typeof body === "object" && typeof (body as KubeStatus).message === "string") {
    return (body as KubeStatus).message!;
  }
  return typeof body === "string" ? body.trim() : JSON.stringify(body);
}

/** `<Kind> <namespace>/<name>` (or `<Kind> <name>` for cluster-scoped objects). */
export function describeObject(obj: Pick<KubeObject, "kind" | "metadata">): string {
  const ns = obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ""}${obj.metadata.name ?? "(no name)"}`;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` every `intervalMs` until it returns a value other than `undefined`, or `timeoutMs` passes.
 * @returns the value, or `undefined` on timeout
 */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not yet reachable
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}
