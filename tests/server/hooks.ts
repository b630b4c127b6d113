/** Mocha root hooks (.mocharc.json `require`): the shared control plane stops after the last test. */
import { stopControlPlane } from "./fixture";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopControlPlane();
  },
};
