/**
 * Values synth accepted and the Kubernetes 1.35 API server refused, found by applying edited stacks to the local
 * control plane (issue 20); each now fails at synth with the API server's rule. tests/server/mirrors.suite.ts
 * asks the API server the same questions.
 */
import * as assert from "node:assert/strict";
import { parseStackConfig } from "@agentops/components";
import { validConfig, withAgent } from "./fixtures/config";
import { configProblems as problems } from "./harness";

describe("configuration mirrors the API server: the misses the local API server found", () => {
  it("timeZone: a backward link in the wrong case (Go matches names exactly), naming the right spelling", () => {
    assert.deepEqual(problems(withAgent(1, (a) => (a.timeZone = "us/pacific"))), [
      `agents[1] (nightly-report).timeZone: "us/pacific" — is not a time zone of the IANA database: names are case-sensitive; did you mean US/Pacific?`,
    ]);
    assert.doesNotThrow(() => parseStackConfig(withAgent(1, (a) => (a.timeZone = "US/Pacific"))));
  });

  it("storage.storageClass: the claim's storageClassName is a DNS-1123 subdomain", () => {
    const withClass = (storageClass: string) =>
      withAgent(0, (a) => (a.storage = { size: "10Gi", storageClass }));
    assert.deepEqual(problems(withClass("GP3")), [
      `agents[0] (it-ops-agent).storage.storageClass: "GP3" — must be a DNS-1123 subdomain of at most 253 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    ]);
    assert.doesNotThrow(() => parseStackConfig(withClass("gp3")));
  });

  it("limitRange: a default request above the default limit, naming both", () => {
    const cfg = validConfig();
    (cfg.agentops.tenants as Record<string, unknown>[])[0]!.limitRange = {
      defaultRequest: { cpu: "1", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "32Gi" },
    };
    assert.deepEqual(problems(cfg), [
      `tenants[0] (governance).limitRange.defaultRequest.cpu: "1" — must be <= limitRange.default.cpu ("500m"): the API server refuses a default request value greater than the default limit value`,
    ]);
  });
});
