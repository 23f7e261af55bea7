-- Custom migration (drizzle-kit generate --custom): seats.held counts the users holding a seat of each tier
-- (role other than none and license other than none, the rule of lib/provisioning/seats.ts countSeatsHeld),
-- kept by delta by statement-level triggers on users whatever code writes them. A statement that changes who
-- holds a tier's seat updates (and so row-locks) that tier's seats row until commit: the only lock a seat
-- purchase needs. A statement that changes no seat holding touches no seats row.
CREATE FUNCTION seat_holders_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO seats AS s (tenant_id, tier, quantity, unit_price_cents, held)
    SELECT tenant_id, license::text::license_tier, 0, 0, count(*)::int FROM new_rows
    WHERE role <> 'none' AND license <> 'none'
    GROUP BY tenant_id, license ORDER BY tenant_id, license
    ON CONFLICT (tenant_id, tier) DO UPDATE SET held = s.held + excluded.held;
  ELSIF TG_OP = 'DELETE' THEN
    -- An update, not an upsert: when a tenant is deleted its seats rows go first, and nothing is left to count.
    UPDATE seats AS s SET held = s.held - gone.n
    FROM (SELECT tenant_id, license::text::license_tier AS tier, count(*)::int AS n FROM old_rows
          WHERE role <> 'none' AND license <> 'none' GROUP BY tenant_id, license) AS gone
    WHERE s.tenant_id = gone.tenant_id AND s.tier = gone.tier;
  ELSE
    INSERT INTO seats AS s (tenant_id, tier, quantity, unit_price_cents, held)
    SELECT tenant_id, license::text::license_tier, 0, 0, sum(delta)::int FROM (
      SELECT tenant_id, license, -1 AS delta FROM old_rows WHERE role <> 'none' AND license <> 'none'
      UNION ALL
      SELECT tenant_id, license, 1 AS delta FROM new_rows WHERE role <> 'none' AND license <> 'none'
    ) AS changes
    GROUP BY tenant_id, license HAVING sum(delta) <> 0 ORDER BY tenant_id, license
    ON CONFLICT (tenant_id, tier) DO UPDATE SET held = s.held + excluded.held;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER users_seat_holders_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION seat_holders_apply();--> statement-breakpoint
CREATE TRIGGER users_seat_holders_update AFTER UPDATE ON users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION seat_holders_apply();--> statement-breakpoint
CREATE TRIGGER users_seat_holders_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION seat_holders_apply();--> statement-breakpoint
INSERT INTO seats AS s (tenant_id, tier, quantity, unit_price_cents, held)
SELECT tenant_id, license::text::license_tier, 0, 0, count(*)::int FROM users
WHERE role <> 'none' AND license <> 'none'
GROUP BY tenant_id, license
ON CONFLICT (tenant_id, tier) DO UPDATE SET held = excluded.held;
