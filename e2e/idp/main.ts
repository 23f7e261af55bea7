// `npm run -s idp -- …`: the IdP simulator. It speaks to the public SCIM endpoint only, as one of the five IdPs would,
// and exits non-zero, naming the request, when the server answers what that IdP would treat as a failure.
import { IdpFailure } from "./client";
import { parseCommand, USAGE, UsageError, type Options } from "./args";
import { DEMO, demoCredentials, demoNextSteps } from "./demo";
import { createProgress } from "./progress";
import { formatSummary, simulate, StateMissingError, type Summary } from "./simulate";

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  let options: Options;
  let rotated = false;
  if (command.kind === "demo") {
    const credentials = await demoCredentials(command.provider);
    rotated = credentials.rotated;
    options = {
      provider: command.provider, url: credentials.url, token: credentials.token, users: DEMO.users, groups: DEMO.groups,
      scenario: "initial", concurrency: 2, seed: DEMO.seed, domain: DEMO.domain, json: command.json, state: undefined,
    };
  } else {
    options = command.options;
  }
  // Progress goes to stderr, so `--json` keeps stdout to the summary alone.
  const summary: Summary = await simulate(options, { progress: (stats) => createProgress(stats) });
  if (options.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(formatSummary(summary));
  if (command.kind === "demo" && !options.json) console.log(`\n${demoNextSteps(rotated)}`);
  if (!summary.ok) {
    const first = summary.failures[0];
    console.error(`error: ${summary.failures.length} request(s) failed as ${options.provider} counts failures; first: ${first.request} answered ${first.status}: ${first.detail}`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof IdpFailure) console.error(`error: the connection check failed: ${error.message}`);
    else if (error instanceof StateMissingError) console.error(`error: ${error.message}`);
    else console.error(`error: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
