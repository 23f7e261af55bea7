-- An activity entry's summary as a message key and its values beside the English text, so the admin's pages show it
-- in the admin's language (lib/activity-summary.ts). Entries written before this, and those that are only text (a
-- SCIM error's detail), have neither and are shown in English as before.
ALTER TABLE "activity_log" ADD COLUMN "summary_key" text;--> statement-breakpoint
ALTER TABLE "activity_log" ADD COLUMN "summary_values" jsonb;