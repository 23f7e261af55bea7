import { describe, expect, it } from "vitest";
import { countSeatsHeld, resolveSeatShortfall } from "./seats";
import { shortfallCases } from "./seats.cases";

describe("countSeatsHeld", () => {
  it("counts only users with access and a license", () => {
    expect(
      countSeatsHeld([
        { role: "user", license: "team" },
        { role: "admin", license: "team" },
        { role: "none", license: "enterprise" },
        { role: "user", license: "none" },
        { role: "user", license: "starter" },
      ]),
    ).toEqual({ starter: 1, team: 2, enterprise: 0 });
  });

  it("takes grouped counts", () => {
    expect(
      countSeatsHeld([
        { role: "user", license: "team", count: 4 },
        { role: "none", license: "team", count: 7 },
        { role: "admin", license: "enterprise", count: 2 },
      ]),
    ).toEqual({ starter: 0, team: 4, enterprise: 2 });
  });
});

describe("resolveSeatShortfall", () => {
  it.each(shortfallCases)("held %j, owned %j → buy %j", (held, owned, short) => {
    expect(resolveSeatShortfall(held, owned)).toEqual(short);
  });
});
