/**
 * `@agentops/components/testing`'s cheap stack traces (withCheapStackTraces): what synthesize and record run
 * under, and what they put back.
 */
import * as assert from "node:assert/strict";
import { ConfigError } from "@agentops/components/model";
import { withCheapStackTraces } from "@agentops/components/testing";

describe("testing: withCheapStackTraces", () => {
  it("turns source maps and stack traces off while fn runs, and puts back what was there", async () => {
    const before = { maps: process.sourceMapsEnabled, limit: Error.stackTraceLimit };
    Error.stackTraceLimit = 17;
    try {
      const seen = await withCheapStackTraces(async () => {
        await new Promise((r) => setImmediate(r));
        return { maps: process.sourceMapsEnabled, limit: Error.stackTraceLimit, stack: new Error("x").stack };
      });
      assert.deepEqual(seen, { maps: false, limit: 0, stack: "Error: x" });
      assert.deepEqual(
        { maps: process.sourceMapsEnabled, limit: Error.stackTraceLimit },
        { maps: before.maps, limit: 17 },
      );
    } finally {
      Error.stackTraceLimit = before.limit;
    }
  });

  it("overlapping calls (two synths at once) put back the settings from before the first, whichever ends first", async () => {
    const before = Error.stackTraceLimit;
    let releaseFirst!: () => void;
    const first = withCheapStackTraces(() => new Promise<void>((r) => (releaseFirst = r)));
    const second = withCheapStackTraces(async () => {
      await new Promise((r) => setImmediate(r));
      return Error.stackTraceLimit;
    });
    assert.equal(await second, 0);
    assert.equal(Error.stackTraceLimit, 0, "still off while the first runs");
    releaseFirst();
    await first;
    assert.equal(Error.stackTraceLimit, before);
  });

  it("a program's bug: fn runs again with traces, and that error, with its stack, is thrown", async () => {
    let runs = 0;
    const err = await withCheapStackTraces(async () => {
      runs++;
      return (undefined as unknown as { name: string }).name;
    }).then(
      () => assert.fail("resolved"),
      (e: unknown) => e as Error,
    );
    assert.equal(runs, 2);
    assert.ok(err instanceof TypeError);
    assert.match(err.stack ?? "", /\n\s+at .*testing-helpers\.test\.ts/);
  });

  it("a bug while another call runs: thrown at once (no second run), and the settings come back after the last", async () => {
    const before = Error.stackTraceLimit;
    let releaseOther!: () => void;
    const other = withCheapStackTraces(
      () => new Promise<number>((r) => (releaseOther = () => r(Error.stackTraceLimit))),
    );
    let runs = 0;
    await assert.rejects(
      withCheapStackTraces(async () => {
        runs++;
        throw new TypeError("a bug");
      }),
      { name: "TypeError", message: "a bug" },
    );
    assert.equal(runs, 1);
    assert.equal(Error.stackTraceLimit, 0, "the other call still runs cheaply");
    releaseOther();
    assert.equal(await other, 0);
    assert.equal(Error.stackTraceLimit, before);
  });

  it("a second run that fails otherwise (or not at all): the first error is thrown", async () => {
    let runs = 0;
    await assert.rejects(
      withCheapStackTraces(async () => {
        runs++;
        throw new Error(runs === 1 ? "first" : "second");
      }),
      { message: "first" },
    );
    let flaky = 0;
    await assert.rejects(
      withCheapStackTraces(async () => {
        if (flaky++ === 0) throw new Error("once");
      }),
      { message: "once" },
    );
    assert.deepEqual([runs, flaky], [2, 2]);
  });

  it("a user's mistake (ConfigError): thrown as it is, fn not run again", async () => {
    let runs = 0;
    const thrown = new ConfigError([{ path: "agents[0].tier", value: 9, allowed: "must be 1, 2, 3 or 4" }]);
    await assert.rejects(
      withCheapStackTraces(async () => {
        runs++;
        throw thrown;
      }),
      (e) => e === thrown,
    );
    assert.equal(runs, 1);
  });
});
