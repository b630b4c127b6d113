/**
 * The floors of the house (README "Architecture"): each imports only floors below it, and nothing imports in a
 * circle. `npm test` runs these rules (tests/architecture.test.ts); `npx depcruise --config
 * .dependency-cruiser.cjs components/src tools policy index.ts` prints any violation with the import that
 * breaks it.
 */
const src = "^components/src/";
/** A path under components/src/ outside the given folders. */
const outside = (...folders) => `${src}(?!${folders.map((f) => `${f}/`).join("|")})`;

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "no import circle", from: {}, to: { circular: true } },
    {
      name: "lib-is-ground",
      severity: "error",
      comment: "lib/ (names, quantities, cron, the shared contract) imports nothing of ours",
      from: { path: `${src}lib/` },
      to: { path: outside("lib") },
    },
    {
      name: "catalog-stands-on-lib",
      severity: "error",
      comment: "catalog/ is data with a date and a source: it imports lib/ only",
      from: { path: `${src}catalog/` },
      to: { path: outside("lib", "catalog") },
    },
    {
      name: "config-stands-on-catalog",
      severity: "error",
      comment: "config/ (the stack file's schemas) imports lib/ and catalog/ only",
      from: { path: `${src}config/` },
      to: { path: outside("lib", "catalog", "config") },
    },
    {
      name: "model-stands-on-config",
      severity: "error",
      comment: "model/ (cost, capacity, footprints) is pure over objects: lib/, catalog/, config/ only",
      from: { path: `${src}model/` },
      to: { path: outside("lib", "catalog", "config", "model") },
    },
    {
      name: "cluster-and-tenancy-stand-on-the-model",
      severity: "error",
      comment: "cluster/ and tenancy/ need no other component",
      from: { path: `${src}(cluster|tenancy)/` },
      to: { path: `${src}(agents|platform|gateway|observability|stack|testing)/` },
    },
    {
      name: "agents-and-observability-below-the-platform",
      severity: "error",
      comment: "agents/ and observability/ are below gateway/ and platform/",
      from: { path: `${src}(agents|observability)/` },
      to: { path: `${src}(platform|gateway|stack|testing)/` },
    },
    {
      name: "gateway-below-the-platform",
      severity: "error",
      comment: "the platform composes the gateway, not the other way round",
      from: { path: `${src}gateway/` },
      to: { path: `${src}(platform|stack|testing)/` },
    },
    {
      name: "components-below-the-stack",
      severity: "error",
      comment: "the stack validates and wires the components: none of them imports it",
      from: { path: `${src}platform/` },
      to: { path: `${src}(stack|testing)/` },
    },
    {
      name: "stores-beside-the-platform",
      severity: "error",
      comment:
        "stores/ (data stores, volume backups) stands on agents/, tenancy/, cluster/ and observability/; no other component imports it, and it imports neither the stack nor the mock runtime",
      from: { path: `${src}(agents|tenancy|cluster|observability|platform|gateway)/` },
      to: { path: `${src}stores/` },
    },
    {
      name: "stores-below-the-stack",
      severity: "error",
      comment: "the stack wires the stores",
      from: { path: `${src}stores/` },
      to: { path: `${src}(stack|testing|platform|gateway)/` },
    },
    {
      name: "testing-apart",
      severity: "error",
      comment:
        "the mock runtime stands apart: it runs a program, it does not know one; it re-exports UsageError and reads stack files, which config/errors.ts and config/stack-file.ts hold below everything that loads Pulumi",
      from: { path: `${src}testing/` },
      to: { path: outside("testing"), pathNot: `${src}config/(errors|stack-file)\\.ts$` },
    },
    {
      name: "tools-are-the-roof",
      severity: "error",
      comment:
        "tools/ (synth, render, diff, verify, …) import everything; the library and the pack import no tool",
      from: { path: "^(components|policy)/" },
      to: { path: "^tools/" },
    },
    {
      name: "the-pack-uses-the-model-entry",
      severity: "error",
      comment:
        "the policy pack reads objects through @agentops/components/model: no component, add-on or provider SDK",
      from: { path: "^policy/" },
      to: { path: outside("model", "lib", "catalog", "config") },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|out|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // Resolve @agentops/components/* to its TypeScript source, as tsx, mocha and the type-check do.
    enhancedResolveOptions: {
      conditionNames: ["agentops-source", "import", "require", "node", "default"],
      exportsFields: ["exports"],
      extensions: [".ts", ".js", ".json"],
    },
  },
};
