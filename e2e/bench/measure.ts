// Runs the workload's phases against one target and measures them: wall time, latencies, failures, CPU of the
// server's process tree and of its PostgreSQL backends, peak RSS.
import { performance } from "node:perf_hooks";
import type { Sql } from "postgres";
import { Recorder, ScimClient, progress, runStage } from "./client";
import { cpuMsBetween, cpuMsByPid, processTree, rssSampler } from "./proc";
import { summarize, type PhaseResult } from "./stats";
import { stepCount, type Phase } from "./workload";

export type Target = {
  name: string;
  /** Root pid of the server's process tree. */
  pid: number;
  /** The admin connection and database name, to find the PostgreSQL backends serving the target. */
  postgres?: { admin: Sql; database: string };
};

type Snapshot = { server: Map<number, number>; db: Map<number, number> | null };

async function snapshot(target: Target): Promise<Snapshot> {
  let db: Map<number, number> | null = null;
  if (target.postgres) {
    const rows = await target.postgres.admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${target.postgres.database}`;
    db = cpuMsByPid(rows.map((r) => r.pid));
  }
  return { server: cpuMsByPid(processTree(target.pid)), db };
}

function spent(before: Snapshot, after: Snapshot): { server: number; db: number | null } {
  return { server: cpuMsBetween(before.server, after.server), db: before.db && after.db ? cpuMsBetween(before.db, after.db) : null };
}

export type PhaseRun = PhaseResult & { failureSamples: string[]; failuresByOperation: Record<string, number> };

/**
 * Runs one phase. `between` hooks run before the named stage and are not measured (their time and CPU are
 * taken out), e.g. the admin saving the group mapping once the IdP has created the groups.
 */
export async function measurePhase(
  target: Target,
  client: ScimClient,
  phase: Phase,
  options: { concurrency: number; phaseSeconds: number; between?: Record<string, () => Promise<void>> },
): Promise<PhaseRun> {
  const recorder = new Recorder();
  const total = stepCount(phase);
  const started = performance.now();
  const deadline = started + options.phaseSeconds * 1000;
  let excludedMs = 0;
  let excludedServerCpu = 0;
  let excludedDbCpu = 0;
  const first = await snapshot(target);
  const rss = rssSampler(target.pid);
  const line = progress(() => {
    const seconds = (performance.now() - started - excludedMs) / 1000;
    return `${target.name} ${phase.name}: ${recorder.requests}/${total} requests, ${(recorder.requests / Math.max(seconds, 0.001)).toFixed(0)} req/s, ${recorder.failureCount} failed`;
  });
  let truncated = false;
  try {
    for (const stage of phase.stages) {
      const hook = options.between?.[stage.name];
      if (hook) {
        const t0 = performance.now();
        const s0 = await snapshot(target);
        await hook();
        const used = spent(s0, await snapshot(target));
        excludedServerCpu += used.server;
        excludedDbCpu += used.db ?? 0;
        excludedMs += performance.now() - t0;
      }
      if (!(await runStage(client, stage, recorder, options.concurrency, deadline))) {
        truncated = true;
        break;
      }
    }
  } finally {
    line.stop();
  }
  const seconds = (performance.now() - started - excludedMs) / 1000;
  const used = spent(first, await snapshot(target));
  const peakRssMiB = rss.stop();
  const requests = recorder.requests;
  const result: PhaseRun = {
    phase: phase.name,
    requests,
    seconds,
    failures: recorder.failureCount,
    latency: summarize(recorder.all()),
    byOperation: Object.fromEntries([...recorder.latencies].map(([op, ms]) => [op, summarize(ms)])),
    serverCpuMsPerRequest: requests ? (used.server - excludedServerCpu) / requests : null,
    dbCpuMsPerRequest: used.db !== null && requests ? (used.db - excludedDbCpu) / requests : null,
    peakRssMiB,
    truncated,
    failureSamples: recorder.samples,
    failuresByOperation: Object.fromEntries(recorder.failures),
  };
  process.stderr.write(
    `${target.name} ${phase.name}: ${requests} requests in ${seconds.toFixed(1)} s = ${(requests / seconds).toFixed(0)} req/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ${result.failures} failed${truncated ? " (truncated by --phase-seconds)" : ""}\n`,
  );
  for (const sample of recorder.samples.slice(0, 3)) process.stderr.write(`  e.g. ${sample}\n`);
  return result;
}
