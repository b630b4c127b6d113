/**
 * The local control plane's keys and certificates, made fresh for each cluster: ECDSA P-256 keys from Node's
 * crypto, certificates signed by `openssl` (Debian's `openssl` package; no npm dependency, nothing downloaded).
 *
 * - `ca.crt`/`ca.key`: the cluster CA (10 years): signs the serving certificate and every client certificate,
 *   and is the API server's `--client-ca-file` and the controller manager's `--root-ca-file`.
 * - `apiserver.crt`: serving certificate for 127.0.0.1, the Service IP 10.96.0.1 and `kubernetes.default.svc`.
 * - `admin.crt` (O=system:masters), `kube-controller-manager.crt` (CN=system:kube-controller-manager),
 *   `kube-scheduler.crt` (CN=system:kube-scheduler), `kwok.crt` (O=system:masters): client certificates, one
 *   identity per component so RBAC sees the same users as on a real cluster.
 * - `sa.key`/`sa.pub`: the service account token signing key.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ToolError } from "../lib/cli";

/** Client identities: file stem → subject. */
export const CLIENTS = {
  admin: "/O=system:masters/CN=agentops-admin",
  "kube-controller-manager": "/CN=system:kube-controller-manager",
  "kube-scheduler": "/CN=system:kube-scheduler",
  kwok: "/O=system:masters/CN=kwok",
} as const;
export type ClientName = keyof typeof CLIENTS;

/** Subject alternative names of the API server's serving certificate. */
export const APISERVER_SANS = [
  "IP:127.0.0.1",
  "IP:10.96.0.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

function writeKey(file: string): void {
  const { privateKey } = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  fs.writeFileSync(file, privateKey, { mode: 0o600 });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error) {
    throw new ToolError(
      "openssl: not found on PATH — the local control plane's certificates are made with it (Debian: apt-get install openssl)",
    );
  }
  if (r.status !== 0) throw new ToolError(`openssl ${args[0]}: ${r.stderr.trim().split("\n").pop()}`);
}

/** Signs `<name>.crt` for `<name>.key` with the CA, with the given subject and extensions. */
function sign(dir: string, name: string, subject: string, extensions: string[]): void {
  writeKey(path.join(dir, `${name}.key`));
  openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions.join("\n") + "\n");
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "365",
      "-sha256",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.crt`,
    ],
    dir,
  );
  fs.rmSync(path.join(dir, `${name}.csr`));
  fs.rmSync(path.join(dir, `${name}.ext`));
}

/** Makes every key and certificate above in `dir` (created if missing). @throws ToolError without openssl. */
export function makePki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeKey(path.join(dir, "ca.key"));
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      "/CN=agentops-local-ca",
      "-days",
      "3650",
      "-sha256",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
      "-out",
      "ca.crt",
    ],
    dir,
  );
  const leaf = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment"];
  sign(dir, "apiserver", "/CN=kube-apiserver", [
    ...leaf,
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${APISERVER_SANS.join(",")}`,
  ]);
  for (const [name, subject] of Object.entries(CLIENTS)) {
    sign(dir, name, subject, [...leaf, "extendedKeyUsage=clientAuth"]);
  }
  const sa = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  fs.writeFileSync(path.join(dir, "sa.key"), sa.privateKey, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "sa.pub"), sa.publicKey);
}

/** A kubeconfig with embedded certificates for client `name` of the API server at `server`. */
export function kubeconfig(dir: string, name: ClientName, server: string): string {
  const b64 = (file: string) => fs.readFileSync(path.join(dir, file)).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: agentops-local",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64("ca.crt")}`,
    "users:",
    `- name: ${name}`,
    "  user:",
    `    client-certificate-data: ${b64(`${name}.crt`)}`,
    `    client-key-data: ${b64(`${name}.key`)}`,
    "contexts:",
    "- name: agentops-local",
    "  context:",
    "    cluster: agentops-local",
    `    user: ${name}`,
    "current-context: agentops-local",
    "",
  ].join("\n");
}
