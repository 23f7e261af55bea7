// The one HTTP client every target is driven with: keep-alive connections (as IdPs hold them), `concurrency`
// workers taking tasks from a queue, each task's steps in order, every answer checked against what the IdP expects.
import http from "node:http";
import { performance } from "node:perf_hooks";
import type { Stage, Step } from "./workload";

/** Okta and Entra give up on a request after 60 s. */
const REQUEST_TIMEOUT_MS = 60_000;

export type Answer = { status: number; text: string };

export class ScimClient {
  private readonly agent: http.Agent;
  readonly userIds = new Map<number, string>();
  readonly groupIds = new Map<number, string>();

  constructor(
    /** The tenant URL ending in `/scim/v2`, no trailing slash. */
    readonly tenantUrl: string,
    private readonly token: string,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    try {
      return await this.send(method, path, payload);
    } catch (error) {
      // A kept-alive socket the server closed while idle (Next.js closes them after 5 s) fails on reuse; HTTP
      // clients retry such a request once on a new connection (Node.js docs, "agent.keepAlive" / reusedSocket).
      if ((error as { reusedSocket?: boolean }).reusedSocket) return this.send(method, path, payload);
      throw error;
    }
  }

  private send(method: string, path: string, payload: string | undefined): Promise<Answer> {
    const url = new URL(`${this.tenantUrl}/${path}`);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/scim+json",
            ...(payload === undefined ? {} : { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on("error", (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === "ECONNRESET" || error.message === "socket hang up");
        reject(Object.assign(error, { reusedSocket: stale }));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Latencies and failures of the steps run so far, by operation kind. */
export class Recorder {
  readonly latencies = new Map<string, number[]>();
  readonly failures = new Map<string, number>();
  /** The first few failures, to show what went wrong. */
  readonly samples: string[] = [];
  requests = 0;

  record(op: string, ms: number, failure?: string): void {
    this.requests++;
    const list = this.latencies.get(op) ?? [];
    list.push(ms);
    this.latencies.set(op, list);
    if (failure) {
      this.failures.set(op, (this.failures.get(op) ?? 0) + 1);
      if (this.samples.length < 10) this.samples.push(`${op}: ${failure}`);
    }
  }

  get failureCount(): number {
    let n = 0;
    for (const v of this.failures.values()) n += v;
    return n;
  }

  all(): number[] {
    return [...this.latencies.values()].flat();
  }
}

function resolvePath(client: ScimClient, step: Step): string | null {
  if (!step.ref) return step.path;
  const id = (step.ref.kind === "user" ? client.userIds : client.groupIds).get(step.ref.index);
  return id ? step.path.replace("{id}", id) : null;
}

function resolveBody(client: ScimClient, step: Step): unknown {
  if (!step.memberRefs) return step.body;
  const body = structuredClone(step.body) as { Operations: { value: unknown }[] };
  // Entra's member form: `{"$ref": null, "value": "<id>"}` (a missing id is sent as is and fails on the server).
  body.Operations[0].value = step.memberRefs.map((i) => ({ $ref: null, value: client.userIds.get(i) ?? `missing-user-${i}` }));
  return body;
}

/** What is wrong with an answer, or undefined when the IdP would accept it. */
export function checkAnswer(step: Step, answer: Answer): string | undefined {
  if (!step.expect.status.includes(answer.status)) return `${step.method} ${step.path} → ${answer.status} ${answer.text.slice(0, 200)}`;
  if (step.expect.total === undefined && step.expect.resources === undefined) return undefined;
  try {
    const body = JSON.parse(answer.text) as { totalResults?: number; Resources?: unknown[] };
    if (step.expect.total !== undefined && body.totalResults !== step.expect.total) {
      return `${step.path}: totalResults ${body.totalResults}, expected ${step.expect.total}`;
    }
    if (step.expect.resources !== undefined && body.Resources?.length !== step.expect.resources) {
      return `${step.path}: ${body.Resources?.length} resources, expected ${step.expect.resources}`;
    }
  } catch {
    return `${step.path}: body is not JSON`;
  }
  return undefined;
}

export async function runStep(client: ScimClient, step: Step, recorder: Recorder): Promise<void> {
  const path = resolvePath(client, step);
  if (path === null) {
    recorder.record(step.op, 0, `${step.path}: not sent, ${step.ref!.kind} ${step.ref!.index} has no id (its POST failed)`);
    return;
  }
  const started = performance.now();
  let answer: Answer;
  try {
    answer = await client.request(step.method, path, resolveBody(client, step));
  } catch (error) {
    recorder.record(step.op, performance.now() - started, `${step.method} ${path}: ${(error as Error).message}`);
    return;
  }
  const ms = performance.now() - started;
  const failure = checkAnswer(step, answer);
  recorder.record(step.op, ms, failure);
  if (!failure && step.remember && answer.status === 201) {
    const id = (JSON.parse(answer.text) as { id: string }).id;
    (step.remember.kind === "user" ? client.userIds : client.groupIds).set(step.remember.index, id);
  }
}

/**
 * Runs a stage's tasks with `concurrency` workers until done or until `deadline` (performance.now() ms), after
 * which no new task starts. Returns true when every task ran.
 */
export async function runStage(client: ScimClient, stage: Stage, recorder: Recorder, concurrency: number, deadline: number): Promise<boolean> {
  let next = 0;
  const worker = async () => {
    while (next < stage.tasks.length && performance.now() < deadline) {
      const task = stage.tasks[next++];
      for (const step of task) await runStep(client, step, recorder);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next >= stage.tasks.length;
}

/** A progress line on stderr: rewritten in place on a terminal, every 15 s otherwise. */
export function progress(label: () => string): { stop: () => void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const timer = setInterval(() => {
    if (tty) process.stderr.write(`\r\x1b[2K${label()}`);
    else if (performance.now() - last >= 15_000) {
      last = performance.now();
      process.stderr.write(`${label()}\n`);
    }
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) process.stderr.write("\r\x1b[2K");
    },
  };
}
