import { getDatabase } from "@/db";
import { pingDatabase } from "@/db/queries/health";

/** Liveness with a database round trip: deploy checks and the e2e web server wait on it. */
export async function GET() {
  const { db, driver } = await getDatabase();
  await pingDatabase(db);
  return Response.json({ ok: true, driver });
}
