/**
 * What `npm run verify` reads back of render's files (`readRendered`, js-yaml's core schema) is exactly what
 * render wrote (`writeRendered`, the `yaml` library): the scalars the two could read differently, and every
 * object of dev's pinned charts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeRendered, type RenderedRelease } from "../tools/render";
import { readRendered } from "../tools/verify/verify";
import { renderedStack } from "./harness";

function roundTrip(releases: readonly RenderedRelease[]): Map<string, unknown[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-verify-files-"));
  try {
    fs.mkdirSync(path.join(dir, "rendered"));
    writeRendered(path.join(dir, "rendered"), releases);
    return readRendered(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const release = (name: string, objects: object[]) =>
  ({ name, chart: "c", version: "1.0.0", namespace: "ns", objects }) as unknown as RenderedRelease;

describe("verify reads render's files as render wrote them", () => {
  it("strings that look like other types stay strings; numbers, booleans and nulls stay what they are", () => {
    const data = {
      off: "Off",
      yes: "yes",
      date: "2026-12-05",
      time: "2026-12-05T07:00:00Z",
      octal: "0o17",
      oldOctal: "017",
      hex: "0x1F",
      exp: "1e3",
      inf: ".inf",
      nan: ".nan",
      tilde: "~",
      null: "null",
      true: "true",
      merge: "<<",
      empty: "",
      spaces: "  padded  ",
      multiline: "line one\nline two\n",
      colon: "a: b",
      hash: "a #b",
      unicode: "größe — 容量",
      int: 17,
      float: 0.25,
      big: 9007199254740991,
      negative: -3,
      bool: false,
      none: null,
      list: ["1", 1, "-", "*"],
      // js-yaml's own core schema reads these as numbers; YAML 1.2's core schema (and `yaml`) as strings.
      binary: "0b101",
      signedBinary: ["+0b1", "-0b1"],
      signedHex: ["+0x1F", "-0x1F"],
      signedOctal: ["+0o7", "-0o7"],
      underscores: ["1_000", "1_0.5", "0x_1F"],
      sexagesimal: "1:20",
      numbers: [0, -0, 1e21, 1.5e-7, -12.5, 0.1, Infinity, -Infinity, NaN, 255, 8],
      "0b101": "a key that looks like a binary number",
      "0x1F": "a key that looks like a hex number",
    };
    const objects = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", annotations: { "<<": "x" } }, data },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } },
    ];
    assert.deepEqual(roundTrip([release("tricky", objects)]), new Map([["tricky", objects]]));
  });

  it("dev: every object of every release of the pinned charts", async function () {
    this.timeout(120_000);
    const { releases } = await renderedStack(this, "dev");
    const read = roundTrip(releases);
    assert.deepEqual([...read.keys()].sort(), releases.map((r) => r.name).sort());
    for (const r of releases)
      assert.deepEqual(read.get(r.name), JSON.parse(JSON.stringify(r.objects)), r.name);
  });
});
