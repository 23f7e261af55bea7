import { build } from "esbuild";

// The CLI and the IdP simulator, bundled once per e2e run (Playwright's globalSetup) so each of the suite's
// hundreds of runs starts as plain `node` on one file: `tsx` transpiles and loads each module of its own on every
// start, about a second of CPU per run here, and several seconds when the other worker loads both cores. The
// bundles hold our code only (packages stay in node_modules), so they run the same code as `npm run sally` and
// `npm run idp`, which QA and operators use.

const entries = { sally: "lib/cli/main.ts", idp: "e2e/idp/main.ts" } as const;

/** The bundle of one entry point: run it with `process.execPath`. */
export const bin = (name: keyof typeof entries) => `.data/e2e/bin/${name}.cjs`;

export default async function bundleBins(): Promise<void> {
  await build({
    entryPoints: entries,
    outdir: ".data/e2e/bin",
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}
