// Offline synthesis and the mock runtime, for tests of programs that use these components.
export * from "./mocks";
export * from "./synth";
export { readStackConfig, listStacks, SECRET_PLACEHOLDER, UsageError } from "../config/stack-file";
