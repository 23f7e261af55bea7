import { describe, expect, it } from "vitest";
import { parseArgs } from "./args";

const parse = (...argv: string[]) => parseArgs(argv, {}, "/repo", new Date("2026-12-02T05:00:00Z"));

describe("parseArgs", () => {
  it("defaults to the issue's sizes on this checkout", () => {
    expect(parse()).toMatchObject({
      users: 10_000,
      groups: 100,
      concurrency: 16,
      phases: ["provision", "lookup", "churn", "list"],
      pglite: false,
      build: true,
      appDir: "/repo",
      jsonOut: "/repo/.data/bench/bench-2026-12-02T05-00-00-000Z.json",
      databaseUrl: "postgres://postgres@127.0.0.1:5432/postgres",
      portBase: 4560,
      cpuProfileDir: null,
      rounds: 1,
    });
  });

  it("reads every flag", () => {
    const o = parse("--users", "2000", "--groups", "20", "--concurrency", "8", "--pglite", "--no-build", "--no-probes", "--app-dir", "../other", "--json-out", "out.json", "--phases", "lookup", "--cpu-profile", "prof", "--rounds", "3");
    expect(o).toMatchObject({ users: 2000, groups: 20, concurrency: 8, pglite: true, build: false, probes: false, appDir: "/other", jsonOut: "/repo/out.json", cpuProfileDir: "/repo/prof", rounds: 3 });
    expect(o.phases).toEqual(["provision", "lookup"]);
  });

  it("takes the database and ports from the environment", () => {
    const o = parseArgs([], { DATABASE_URL: "postgres://db/x", E2E_PORT_BASE: "4700" }, "/repo");
    expect(o.databaseUrl).toBe("postgres://db/x");
    expect(o.portBase).toBe(4700);
  });

  it.each([
    [["--users", "0"], /--users needs an integer ≥ 1/],
    [["--groups", "3"], /--groups needs an integer ≥ 5/],
    [["--users"], /--users needs a value/],
    [["--rounds", "0"], /--rounds needs an integer ≥ 1/],
    [["--phases", "warmup"], /unknown phase warmup/],
    [["--fast"], /unknown option --fast/],
  ])("refuses %j", (argv, message) => {
    expect(() => parse(...argv)).toThrow(message);
  });
});
