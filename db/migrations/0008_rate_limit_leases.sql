-- The rate-limit bucket's last ask may take several tokens (an instance's lease): `granted` counts them.
ALTER TABLE "scim_rate_limits" ALTER COLUMN "granted" SET DATA TYPE integer USING (CASE WHEN "granted" THEN 1 ELSE 0 END);
