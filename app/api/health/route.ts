import { sql } from "drizzle-orm";
import { getDatabase } from "@/db";

/** Liveness with a database round trip: deploy checks and the e2e web server wait on it. */
export async function GET() {
  const { db, driver } = await getDatabase();
  await db.execute(sql`select 1`);
  return Response.json({ ok: true, driver });
}
