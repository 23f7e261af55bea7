// One simulator run: load or generate the directory, apply the scenario's changes, run the IdP's cycle, save state,
// and report what was sent and answered.
import { ScimClient, type Stats } from "./client";
import { runCycle, silentProgress, type CycleCounts, type Failure, type Progress } from "./cycle";
import { applyDeprovision, applyIncrementalChanges, generateDirectory, type ChangeCounts } from "./directory";
import { createRandom, deriveSeed } from "./prng";
import { dialects } from "./providers";
import { defaultStateFile, emptyState, loadState, saveState } from "./state";
import type { Options } from "./args";

export type Summary = {
  ok: boolean;
  provider: string;
  scenario: string;
  tenantUrl: string;
  stateFile: string;
  directory: { users: number; activeUsers: number; groups: number };
  changes: ChangeCounts | null;
  cycle: CycleCounts;
  requests: number;
  retries: number;
  waitedSeconds: number;
  answers: Record<string, number>;
  durationSeconds: number;
  requestsPerSecond: number;
  failures: Failure[];
};

export class StateMissingError extends Error {}

export type SimulateDeps = { fetch?: typeof fetch; sleep?: (seconds: number) => Promise<void>; progress?: (stats: Stats) => Progress; now?: () => number };

export async function simulate(options: Options, deps: SimulateDeps = {}): Promise<Summary> {
  const now = deps.now ?? (() => performance.now());
  const stateFile = options.state ?? defaultStateFile(options.url, options.provider);
  const dialect = dialects[options.provider];
  const saved = loadState(stateFile);
  let state;
  let changes: ChangeCounts | null = null;
  if (options.scenario === "initial") {
    // A first cycle (or a restart): the directory comes from the seed, and every object is matched anew.
    state = emptyState(options.provider, options.url, generateDirectory({ seed: options.seed, users: options.users, groups: options.groups, domain: options.domain }));
  } else {
    if (!saved) throw new StateMissingError(`no state in ${stateFile}: run --scenario initial first (same --url, --provider and --state)`);
    state = saved;
    if (options.scenario === "incremental") ({ directory: state.directory, counts: changes } = applyIncrementalChanges(state.directory));
    if (options.scenario === "deprovision") ({ directory: state.directory, counts: changes } = applyDeprovision(state.directory));
  }
  const client = new ScimClient({ tenantUrl: options.url, token: options.token, policy: dialect.policy, headers: dialect.headers, fetch: deps.fetch, sleep: deps.sleep });
  const rng = createRandom(deriveSeed(state.directory.seed, `requests-${state.directory.runs}-${options.scenario}`));
  const started = now();
  const progress = deps.progress?.(client.stats) ?? silentProgress;
  let result;
  try {
    result = await runCycle({ dialect, client, state, groupsOnly: options.scenario === "groups-only", concurrency: options.concurrency, rng, progress });
  } finally {
    progress.stop();
    // Whatever was pushed is remembered, even when the cycle stopped half-way.
    saveState(stateFile, state);
  }
  const durationSeconds = (now() - started) / 1000;
  const live = state.directory.users.filter((u) => !u.deleted);
  return {
    ok: result.failures.length === 0,
    provider: options.provider,
    scenario: options.scenario,
    tenantUrl: options.url,
    stateFile,
    directory: { users: live.length, activeUsers: live.filter((u) => u.active).length, groups: state.directory.groups.filter((g) => !g.deleted).length },
    changes,
    cycle: result.counts,
    requests: client.stats.requests,
    retries: client.stats.retries,
    waitedSeconds: client.stats.waitedSeconds,
    answers: client.stats.byStatus,
    durationSeconds: Math.round(durationSeconds * 100) / 100,
    requestsPerSecond: durationSeconds > 0 ? Math.round((client.stats.requests / durationSeconds) * 10) / 10 : 0,
    failures: result.failures,
  };
}

export function formatSummary(s: Summary): string {
  const nonZero = (o: Record<string, number>) => Object.entries(o).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  const lines = [
    `${s.provider} ${s.scenario} cycle against ${s.tenantUrl}`,
    `  directory: ${s.directory.users} users (${s.directory.activeUsers} active), ${s.directory.groups} groups`,
    ...(s.changes ? [`  changes:   ${nonZero(s.changes)}`] : []),
    `  pushed:    ${nonZero(s.cycle)}`,
    `  requests:  ${s.requests} in ${s.durationSeconds} s (${s.requestsPerSecond}/s), ${s.retries} retries${s.waitedSeconds ? `, ${s.waitedSeconds} s waited` : ""}`,
    `  answers:   ${Object.entries(s.answers).sort().map(([status, n]) => `${status} × ${n}`).join(", ")}`,
    `  state:     ${s.stateFile}`,
  ];
  if (s.failures.length) {
    lines.push(`  failures:  ${s.failures.length}`);
    for (const f of s.failures.slice(0, 10)) lines.push(`    ${f.request} answered ${f.status}: ${f.detail}`);
  }
  return lines.join("\n");
}
