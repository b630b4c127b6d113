/**
 * Every test that needs the local Kubernetes API server, in one file: mocha's parallel mode gives a file to one
 * worker, and each worker starts its own control plane (./fixture.ts), so with the three suites in three files
 * two workers started one each, ran two API servers side by side on a 2-core machine and paid a second start.
 * Here one worker runs them all on one control plane, in this order (verify, which empties the cluster for each
 * stack, last); the other worker runs the rest of the suite meanwhile.
 */
import "./mirrors.suite";
import "./day2.suite";
import "./verify.suite";
