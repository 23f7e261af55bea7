ALTER TABLE "seat_purchases" ADD COLUMN "receipts_queued_at" timestamp (3) with time zone;--> statement-breakpoint
-- Purchases made before this migration queued their receipts in their own statement.
UPDATE "seat_purchases" SET "receipts_queued_at" = "created_at";--> statement-breakpoint
CREATE INDEX "seat_purchases_receipts_due_idx" ON "seat_purchases" USING btree ("created_at") WHERE "seat_purchases"."receipts_queued_at" is null;
