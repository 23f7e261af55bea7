// CPU time and resident memory of a process tree, read from /proc (Linux): proc(5) `stat` fields 14–17
// (utime, stime, cutime, cstime in clock ticks) and `status` VmRSS.
import fs from "node:fs";

/** Clock ticks per second (sysconf(_SC_CLK_TCK)); 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

type Stat = { pid: number; ppid: number; cpuTicks: number };

/** Fields after the `(comm)` part, which may itself contain spaces and parentheses. */
export function parseStat(text: string): Stat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const pid = Number(text.slice(0, text.indexOf(" ")));
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const ppid = Number(fields[1]);
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return Number.isFinite(pid) && Number.isFinite(ppid) && Number.isFinite(ticks) ? { pid, ppid, cpuTicks: ticks } : null;
}

function readStat(pid: number): Stat | null {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** The pid and every descendant of it that is alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU ms used so far by each of the given pids (children they reaped included). */
export function cpuMsByPid(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) out.set(pid, (stat.cpuTicks * 1000) / TICKS_PER_SECOND);
  }
  return out;
}

/** CPU ms spent between two readings; a pid missing from `before` started in between and counts from zero. */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Resident set size of the tree in MiB. */
export function treeRssMiB(root: number): number {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) kib += Number(match[1]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return kib / 1024;
}

/** Samples the tree's RSS every `everyMs` and remembers the highest value until stopped. */
export function rssSampler(root: number, everyMs = 250): { stop: () => number } {
  let peak = treeRssMiB(root);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMiB(root));
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRssMiB(root));
    },
  };
}
