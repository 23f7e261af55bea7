import { describe, expect, it } from "vitest";
import { preferredLanguages, resolveLocale } from "./config";

describe("preferredLanguages", () => {
  it.each([
    [null, []],
    ["", []],
    ["de-DE,de;q=0.9,en;q=0.8", ["de-de", "de", "en"]],
    ["en;q=0.5, de", ["de", "en"]],
    ["fr, de;q=0", ["fr"]],
    ["*", ["*"]],
  ])("%s → %j", (header, expected) => {
    expect(preferredLanguages(header)).toEqual(expected);
  });
});

describe("resolveLocale", () => {
  it.each([
    [{ cookie: "de", tenantLocale: "en" as const, acceptLanguage: "en" }, "de"],
    [{ cookie: "fr", tenantLocale: "de" as const, acceptLanguage: "en" }, "de"],
    [{ cookie: null, tenantLocale: "en" as const, acceptLanguage: "de-DE" }, "en"],
    [{ acceptLanguage: "de-CH,en;q=0.5" }, "de"],
    [{ acceptLanguage: "fr-FR,en-GB;q=0.8,de;q=0.7" }, "en"],
    [{ acceptLanguage: "fr-FR" }, "en"],
    [{}, "en"],
  ])("%j → %s", (input, expected) => {
    expect(resolveLocale(input)).toBe(expected);
  });
});
