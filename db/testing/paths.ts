import path from "node:path";

export const PGLITE_TEMPLATE = path.join(process.cwd(), ".data", "test", "pglite-template.tar");
