// Offline synthesis and the mock runtime, for tests of programs that use these components.
export * from "./synth/mocks";
export * from "./synth/synth";
export { readStackConfig, listStacks, UsageError } from "./synth/stack-file";
