// `npm run bench -- [flags]`: the options of a run (pure parsing, so it is unit-tested).
import path from "node:path";

export const PHASES = ["provision", "lookup", "churn", "list"] as const;
export type PhaseName = (typeof PHASES)[number];

export type BenchOptions = {
  users: number;
  groups: number;
  concurrency: number;
  /** Phases to run; every one depends on provision, so provision is always kept. */
  phases: PhaseName[];
  /** Also run the product on embedded PGlite (after the PostgreSQL run). */
  pglite: boolean;
  /** Skip the scale probes (they bulk-load up to 100,000 users). */
  probes: boolean;
  /** Skip the baselines (product only). */
  baselines: boolean;
  build: boolean;
  /** The checkout whose production build is measured (default: this one). */
  appDir: string;
  jsonOut: string;
  databaseUrl: string;
  /** Upper bound of one phase, in seconds: no task starts after it. */
  phaseSeconds: number;
  seed: number;
  portBase: number;
  keepDatabases: boolean;
  /** Where the product server writes a V8 CPU profile when it stops (`node --cpu-prof`), or null. */
  cpuProfileDir: string | null;
  /** How many times the product and the baselines run, in alternation; the ratios are also given as their medians. */
  rounds: number;
};

export const USAGE = `npm run bench -- [options]
  --users N            SCIM users to provision (default 10000)
  --groups N           groups, ≥ 5: five mapped, the rest departments (default 100)
  --concurrency N      connections the IdP keeps open (default 16)
  --phases a,b         of provision,lookup,churn,list (default all; provision always runs)
  --pglite             also measure the product on embedded PGlite
  --no-probes          skip the scale probes
  --no-baselines       skip the node:http and Next.js baselines
  --no-build           use the existing builds (.next of --app-dir, .data/bench/baseline/next-app/.next)
  --app-dir PATH       the checkout to measure (default: this one); its .next is built unless --no-build
  --json-out FILE      where the results go (default .data/bench/bench-<timestamp>.json)
  --database-url URL   PostgreSQL server (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --phase-seconds N    no task starts after N s in one phase (default 900)
  --seed N             workload seed (default 7)
  --port-base N        ports N..N+3 (default $E2E_PORT_BASE or 4560)
  --keep-databases     leave the sally_bench* databases for inspection
  --cpu-profile DIR    the product server writes a CPU profile (.cpuprofile, for Chrome DevTools) into DIR
  --rounds N           run the product and the baselines N times in alternation and report the median ratios
                       (default 1; the probes and the PGlite run go with the first round only)`;

function positive(name: string, raw: string | undefined, min = 1): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer ≥ ${min}, got ${raw ?? "nothing"}`);
  return n;
}

export function parseArgs(argv: readonly string[], env: Record<string, string | undefined>, cwd: string, now = new Date()): BenchOptions {
  const options: BenchOptions = {
    users: 10_000,
    groups: 100,
    concurrency: 16,
    phases: [...PHASES],
    pglite: false,
    probes: true,
    baselines: true,
    build: true,
    appDir: cwd,
    jsonOut: path.join(cwd, ".data", "bench", `bench-${now.toISOString().replace(/[:.]/g, "-")}.json`),
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    phaseSeconds: 900,
    seed: 7,
    portBase: Number(env.E2E_PORT_BASE ?? 4560),
    keepDatabases: false,
    cpuProfileDir: null,
    rounds: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--users": options.users = positive(flag, value()); break;
      case "--groups": options.groups = positive(flag, value(), 5); break;
      case "--concurrency": options.concurrency = positive(flag, value()); break;
      case "--phases": {
        const names = value().split(",").map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
        if (unknown.length) throw new Error(`unknown phase ${unknown.join(", ")}; phases are ${PHASES.join(", ")}`);
        options.phases = PHASES.filter((p) => p === "provision" || names.includes(p));
        break;
      }
      case "--pglite": options.pglite = true; break;
      case "--no-probes": options.probes = false; break;
      case "--no-baselines": options.baselines = false; break;
      case "--no-build": options.build = false; break;
      case "--app-dir": options.appDir = path.resolve(cwd, value()); break;
      case "--json-out": options.jsonOut = path.resolve(cwd, value()); break;
      case "--database-url": options.databaseUrl = value(); break;
      case "--phase-seconds": options.phaseSeconds = positive(flag, value()); break;
      case "--seed": options.seed = positive(flag, value(), 0); break;
      case "--port-base": options.portBase = positive(flag, value(), 1024); break;
      case "--keep-databases": options.keepDatabases = true; break;
      case "--cpu-profile": options.cpuProfileDir = path.resolve(cwd, value()); break;
      case "--rounds": options.rounds = positive(flag, value()); break;
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return options;
}
