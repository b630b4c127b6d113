/**
 * Mocha root hooks (.mocharc.json `require`). Serially, root hooks run once after the last file: the control plane
 * stops there. In parallel mode they run after each file, in the worker process that ran it, and the worker runs
 * more files: its control plane stays for the next server file there (saving a start, ~6 s, and a stop per
 * file) and stops when the worker exits (tests/server/fixture.ts).
 */
import { stopControlPlane } from "./fixture";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (process.env.MOCHA_WORKER_ID === undefined) await stopControlPlane();
  },
};
