// Seeds the demo tenant "Acme" on first start of the dev app (`npm run dev` runs this first). Idempotent.
import { env } from "@/lib/env";
import { runCli } from "@/lib/cli/run";
import { createTenant } from "@/lib/tenants/create-tenant";
import { getTenantBySlug } from "./queries/tenants";
import { configuredDatabase, openDatabase } from "./index";

const DEMO_ADMIN_EMAIL = "admin@acme.example";

runCli(async () => {
  if (!env().seedDemo) return;
  const database = await openDatabase(configuredDatabase());
  try {
    if (await getTenantBySlug(database.db, "acme")) return;
    await createTenant(database.db, {
      name: "Acme",
      slug: "acme",
      adminEmail: DEMO_ADMIN_EMAIL,
      locale: "en",
      seats: { starter: 5, team: 3, enterprise: 2 },
    }, "seed");
    console.log(`Seeded demo tenant "Acme"; sign in as ${DEMO_ADMIN_EMAIL} (the link arrives at /dev/mailbox).`);
  } finally {
    await database.close();
  }
});
