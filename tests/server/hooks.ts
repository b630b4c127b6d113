/**
 * Mocha root hooks (.mocharc.json `require`): the control plane a file's tests started stops after its last test.
 * In parallel mode root hooks run per file, in the worker that runs it; serially, after the last file.
 */
import { stopControlPlane } from "./fixture";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopControlPlane();
  },
};
