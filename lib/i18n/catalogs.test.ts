import { isStructurallySame, parse } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import de from "./messages/de.json";
import en from "./messages/en.json";

type Catalog = { [key: string]: string | Catalog };

/** Every message of a catalog as [dotted key, ICU text]. */
function flatten(catalog: Catalog, prefix = ""): [string, string][] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value, `${prefix}${key}.`),
  );
}


const catalogs = { en: flatten(en), de: flatten(de) };

describe("message catalogs (whole files: UI and emails)", () => {
  it("have the same keys in English and German", () => {
    const keys = (entries: [string, string][]) => entries.map(([key]) => key).sort();
    expect(keys(catalogs.de)).toEqual(keys(catalogs.en));
  });

  it("hold valid ICU messages", () => {
    const invalid = [...catalogs.en, ...catalogs.de].filter(([, message]) => {
      try {
        parse(message);
        return false;
      } catch {
        return true;
      }
    });
    expect(invalid.map(([key, message]) => `${key}: ${message}`)).toEqual([]);
  });

  it("take the same ICU arguments, of the same types, in both languages for every key", () => {
    const german = new Map(catalogs.de);
    const mismatched = catalogs.en
      .filter(([key, message]) => german.has(key) && !isStructurallySame(parse(message), parse(german.get(key)!)).success)
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });

  it("have no empty messages", () => {
    expect([...catalogs.en, ...catalogs.de].filter(([, message]) => !message.trim()).map(([key]) => key)).toEqual([]);
  });

  // Sally speaks German informally, as its guide does ("du", "dein IdP"): never "Sie", "Ihr", "Ihnen".
  it("address the reader as du in German", () => {
    const formal = /\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b/;
    expect(catalogs.de.filter(([, message]) => formal.test(message)).map(([key, message]) => `${key}: ${message}`)).toEqual([]);
  });
});
