import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import de from "@/lib/i18n/messages/de.json";
import { plainSummary, summarize, type SummaryKey, type SummaryValues } from "./activity-summary";

const german = createTranslator({ locale: "de", messages: de, namespace: "ActivitySummary" });

// The English each kind of entry stored before entries had keys: the CLI and the tests that read the log see it unchanged.
const cases: [SummaryKey, SummaryValues, string, string][] = [
  ["readUser", { userName: "ada@example.com" }, "Read user ada@example.com", "Benutzer ada@example.com gelesen"],
  ["patchedUserDeactivated", { userName: "ada@example.com" }, "Patched user ada@example.com (deactivated)", "Benutzer ada@example.com geändert (deaktiviert)"],
  ["replacedUserInactive", { userName: "ada" }, "Replaced user ada (inactive)", "Benutzer ada ersetzt (inaktiv)"],
  ["patchedGroup", { displayName: "Sales", added: 10, removed: 0 }, "Patched group Sales (+10 −0 members)", "Gruppe Sales geändert (+10 −0 Mitglieder)"],
  ["createdGroupWithMembers", { displayName: "Team", added: 1200 }, "Created group Team with 1200 members", "Gruppe Team mit 1200 Mitgliedern angelegt"],
  ["deletedGroup", { displayName: "Ops", members: 3 }, "Deleted group Ops (3 members re-evaluated)", "Gruppe Ops gelöscht (3 Mitglieder neu bewertet)"],
  ["listedUsersFiltered", { shown: 1, total: 1 }, "Listed 1 of 1 users (filtered)", "1 von 1 Benutzern aufgelistet (gefiltert)"],
  ["bulk", { operations: 3, failed: 1 }, "Bulk: 3 operations, 1 failed", "Bulk: 3 Operationen, 1 fehlgeschlagen"],
  ["skippedMember", { id: "u-1", displayName: "Eng" }, "Warning: Skipped member u-1 of group Eng: no such user in this tenant", "Warnung: Mitglied u-1 der Gruppe Eng übersprungen: kein solcher Benutzer in diesem Mandanten"],
  [
    "mappingSaved",
    { gain: 2, lose: 1, change: 0, invite: "on" },
    "Group mapping saved: 2 gain access, 1 lose it, 0 change; invitations on",
    "Gruppenzuordnung gespeichert: 2 erhalten Zugang, 1 verlieren ihn, 0 ändern sich; Einladungen an",
  ],
  ["scimConnected", { provider: "okta" }, "SCIM connected (okta)", "SCIM verbunden (okta)"],
  [
    "emailConflict",
    { userNamed: "yes", userName: "Ada Two", userId: "2", holderNamed: "no", holderName: "", holderId: "1", email: "ada@x.example" },
    "Warning: Email conflict: Ada Two (user 2) gets no access because user 1 already signs in with ada@x.example; it clears when either of them changes",
    "Warnung: E-Mail-Konflikt: Ada Two (Benutzer 2) erhält keinen Zugang, weil sich Benutzer 1 bereits mit ada@x.example anmeldet; das löst sich, sobald sich einer von beiden ändert",
  ],
];

describe("activity summaries", () => {
  it.each(cases)("%s: English stored, German shown", (key, values, english, deutsch) => {
    const summary = summarize(key, values);
    expect(summary).toEqual({ summary: english, summaryKey: key, summaryValues: values });
    expect(german(summary.summaryKey!, summary.summaryValues!)).toBe(deutsch);
  });

  it("a value is never read as ICU syntax", () => {
    expect(summarize("readGroup", { displayName: "{x} 'quoted' #1" }).summary).toBe("Read group {x} 'quoted' #1");
  });

  it("plain text has no key: it is shown as stored", () => {
    expect(plainSummary("Attribute 'userName' is required")).toEqual({
      summary: "Attribute 'userName' is required",
      summaryKey: null,
      summaryValues: null,
    });
  });
});
