import * as assert from "node:assert/strict";
import { cpuCores, gibibytes, parseQuantity } from "../components/src/lib/quantity";

describe("Kubernetes quantities", () => {
  const cases: [string, number][] = [
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    [".5", 0.5],
    ["1k", 1000],
    ["1Ki", 1024],
    ["4Gi", 4 * 2 ** 30],
    ["1e3", 1000],
    ["1E-3", 0.001],
    ["+2M", 2e6],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${input} as ${expected}`, () => assert.equal(parseQuantity(input), expected));
  }

  for (const bad of ["", "lots", "8GB", "1.2.3", "Gi", "1 Gi", "1gi", "-", "1e", "0x10"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseQuantity(bad), undefined));
  }

  it("converts CPU to cores and memory to GiB", () => {
    assert.equal(cpuCores("250m"), 0.25);
    assert.equal(gibibytes("512Mi"), 0.5);
  });
});
