import { describe, expect, it } from "vitest";
import { LONE_SURROGATE, wellFormed } from "./unicode";

describe("lone surrogates", () => {
  it.each([
    ["\ud800", true, "\uFFFD"],
    ["a\udc00b", true, "a\uFFFDb"],
    ["\udbff\ud800", true, "\uFFFD\uFFFD"],
    ["😀", false, "😀"],
    ["\\ud800 as text", false, "\\ud800 as text"],
    ["", false, ""],
  ])("%j: lone %s, well-formed %j", (text, lone, fixed) => {
    expect(LONE_SURROGATE.test(text)).toBe(lone);
    expect(wellFormed(text)).toBe(fixed);
  });
});
