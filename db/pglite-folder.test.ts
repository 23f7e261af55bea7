import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/db";
import { DataDirInUseError } from "@/db/errors";
import { getTenantBySlug } from "@/db/queries/tenants";
import { createTenant } from "@/lib/tenants/create-tenant";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sally-pglite-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// Opening a folder-backed PGlite runs every migration on disk: tens of seconds on a loaded 2-core machine.
describe("the embedded PGlite folder", { timeout: 180_000 }, () => {
  const dir = path.join(root, "nested", "pglite");

  it("creates missing parent folders, and keeps data across a restart", async () => {
    const first = await openDatabase({ pgliteDir: dir });
    await createTenant(first.db, { name: "Kept", slug: "kept", adminEmail: "a@kept.example" });
    await first.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);

    const second = await openDatabase({ pgliteDir: dir });
    expect(await getTenantBySlug(second.db, "kept")).toMatchObject({ name: "Kept" });
    await second.close();
  });

  it("refuses a second handle on the same folder, in this process or another live one", async () => {
    const held = await openDatabase({ pgliteDir: dir });
    await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(DataDirInUseError);
    await held.close();

    fs.writeFileSync(`${dir}.lock`, String(process.ppid));
    await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(`in use by process ${process.ppid}`);
    fs.rmSync(`${dir}.lock`);
  });

  it("takes over the lock of a process that died", async () => {
    fs.writeFileSync(`${dir}.lock`, "2147483646");
    const database = await openDatabase({ pgliteDir: dir });
    expect(fs.readFileSync(`${dir}.lock`, "utf8")).toBe(String(process.pid));
    await database.close();
  });
});
