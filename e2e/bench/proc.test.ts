import { describe, expect, it } from "vitest";
import { cpuMsBetween, cpuMsByPid, parseStat, processTree } from "./proc";

describe("parseStat", () => {
  it("reads pid, ppid and utime+stime+cutime+cstime past a command with spaces and parentheses", () => {
    const line = "4242 (next-server (v1) x) S 4200 4242 4200 0 -1 4194560 100 0 0 0 150 30 7 3 20 0 11 0 900 1000 200";
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 150 + 30 + 7 + 3 });
  });
});

describe("cpuMsBetween", () => {
  it("sums the growth of every pid, counting new pids from zero", () => {
    const before = new Map([[1, 100], [2, 50]]);
    const after = new Map([[1, 130], [2, 55], [3, 20]]);
    expect(cpuMsBetween(before, after)).toBe(30 + 5 + 20);
  });
});

describe("processTree", () => {
  it("contains this process, whose CPU time is readable", () => {
    expect(processTree(process.pid)[0]).toBe(process.pid);
    expect(cpuMsByPid([process.pid]).get(process.pid)).toBeGreaterThan(0);
  });
});
