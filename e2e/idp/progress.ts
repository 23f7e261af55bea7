// Progress on a terminal: a cli-progress bar per phase; plain lines (start, every 10 %, end) when not a TTY.
import cliProgress from "cli-progress";
import type { Progress } from "./cycle";
import type { Stats } from "./client";

export function createProgress(stats: Stats, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? barProgress(stats, stream) : lineProgress(stream);
}

function barProgress(stats: Stats, stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: "{phase} [{bar}] {value}/{total} · {requests} requests · {eta_formatted} left", hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    phase(label, total) {
      if (running) bar.stop();
      bar.start(Math.max(total, 0), 0, { phase: label.padEnd(28), requests: stats.requests });
      running = true;
    },
    tick() {
      bar.increment(1, { requests: stats.requests });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  let label = "";
  let total = 0;
  let done = 0;
  let nextReport = 0;
  return {
    phase(next, count) {
      [label, total, done, nextReport] = [next, count, 0, Math.ceil(count / 10)];
      if (count > 0) stream.write(`${label}: ${count} to do\n`);
    },
    tick() {
      done++;
      if (total >= 50 && done >= nextReport && done < total) {
        stream.write(`${label}: ${done}/${total}\n`);
        nextReport += Math.ceil(total / 10);
      }
    },
    stop() {},
  };
}
