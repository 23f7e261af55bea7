// `npm run -s sally -- <command>`: the admin CLI. Same domain functions as the UI; JSON with --json.
import { DataDirInUseError } from "@/db/errors";
import { configuredDatabase, openDatabase } from "@/db";
import { env } from "@/lib/env";
import { AppError, ConfigError } from "@/lib/errors";
import { BRIDGE_HEADER, BRIDGE_PATH, bridgeKey, type BridgeResponse } from "./bridge";
import { executeCommand, findCommand, usage, type CommandResult } from "./commands";
import { runCli } from "./run";
import { formatTable } from "./table";

function print(result: CommandResult & { json: boolean }): void {
  if (result.json) console.log(JSON.stringify(result.data, null, 2));
  else if (result.rows) console.log(formatTable(result.rows, result.columns));
  else console.log(result.message ?? JSON.stringify(result.data, null, 2));
}

/** Sends the command to the server that holds the PGlite folder; explains plainly when there is none to ask. */
async function viaServer(argv: string[], cause: DataDirInUseError): Promise<CommandResult & { json: boolean }> {
  const url = `${env().appUrl}${BRIDGE_PATH}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [BRIDGE_HEADER]: bridgeKey() },
      body: JSON.stringify({ argv }),
    });
  } catch {
    throw new ConfigError(`${cause.message} The CLI could not reach that server at ${env().appUrl} (set APP_URL to its address).`);
  }
  const body = (await response.json().catch(() => null)) as BridgeResponse | null;
  if (!body) throw new ConfigError(`${cause.message} The server at ${url} did not accept the command (HTTP ${response.status}).`);
  if (!body.ok) throw new AppError(body.error);
  return body.result;
}

runCli(async () => {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === "help" || argv.includes("--help")) return console.log(usage());
  // Fail on an unknown command before opening (and perhaps migrating) a database.
  if (!findCommand(argv)) throw new AppError(`unknown command "${argv.join(" ")}" (see: npm run -s sally -- help)`);
  let database;
  try {
    database = await openDatabase(configuredDatabase());
  } catch (error) {
    if (error instanceof DataDirInUseError) return print(await viaServer(argv, error));
    throw error;
  }
  try {
    print(await executeCommand(database.db, argv));
  } finally {
    await database.close();
  }
});
