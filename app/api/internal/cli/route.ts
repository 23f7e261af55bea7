import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { getDatabase } from "@/db";
import { AppError } from "@/lib/errors";
import { BRIDGE_HEADER, bridgeKey, type BridgeResponse } from "@/lib/cli/bridge";
import { executeCommand } from "@/lib/cli/commands";

const bodySchema = z.object({ argv: z.array(z.string()).min(1).max(50) });

function authorised(header: string | null): boolean {
  const expected = Buffer.from(bridgeKey());
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Runs a CLI command for `npm run sally` when this server holds the embedded PGlite folder (lib/cli/bridge.ts). */
export async function POST(request: Request) {
  const { db, driver } = await getDatabase();
  if (driver !== "pglite" || !authorised(request.headers.get(BRIDGE_HEADER))) {
    return Response.json({ ok: false, error: "not found" } satisfies BridgeResponse, { status: 404 });
  }
  const parsed = bodySchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ ok: false, error: "invalid command" } satisfies BridgeResponse, { status: 400 });
  try {
    const result = await executeCommand(db, parsed.data.argv);
    return Response.json({ ok: true, result } satisfies BridgeResponse);
  } catch (error) {
    if (error instanceof AppError) return Response.json({ ok: false, error: error.message } satisfies BridgeResponse, { status: 400 });
    console.error("CLI command failed:", error);
    return Response.json({ ok: false, error: "internal error (see the server log)" } satisfies BridgeResponse, { status: 500 });
  }
}
