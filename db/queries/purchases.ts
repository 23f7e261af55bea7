import { desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { seatPurchases } from "@/db/schema";

/** A tenant's seat purchases, newest first. */
export async function listPurchases(db: DbOrTx, tenantId: string) {
  return db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenantId)).orderBy(desc(seatPurchases.createdAt), desc(seatPurchases.id));
}
