// The change report of two synth outputs (`npm run diff`) and the rules it applies.
export * from "./report";
export * from "./rules";
