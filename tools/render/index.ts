// Rendering the stack's Helm releases with Helm itself (`npm run render`).
export * from "./errors";
export * from "./render";
export { CHART_CACHE_ENV, FILL_CACHE_HINT, chartFile, chartFolders, lockEntry } from "./charts";
export { findHelm } from "./helm";
