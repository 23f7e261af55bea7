// The simulator's HTTP client for the tenant URL: bearer token, the IdP's headers, its retry policy, and counts of
// every answer for the summary. A response the IdP would treat as a failure becomes an IdpFailure naming the request.
import type { RetryPolicy } from "./retry";

export type Json = Record<string, any>;

export type Answer = { status: number; body: Json | null; headers: Headers };

export type Stats = { requests: number; retries: number; waitedSeconds: number; byStatus: Record<string, number> };

export class IdpFailure extends Error {
  constructor(
    readonly request: string,
    readonly status: number | "network",
    readonly detail: string,
  ) {
    super(`${request} answered ${status}${detail ? `: ${detail}` : ""}`);
    this.name = "IdpFailure";
  }
}

export type ClientOptions = {
  tenantUrl: string;
  token: string;
  policy: RetryPolicy;
  /** Headers the IdP sends on every request (User-Agent, Content-Type…). */
  headers?: Record<string, string>;
  sleep?: (seconds: number) => Promise<void>;
  fetch?: typeof fetch;
};

const realSleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

export class ScimClient {
  readonly stats: Stats = { requests: 0, retries: 0, waitedSeconds: 0, byStatus: {} };
  private readonly base: URL;

  constructor(private readonly options: ClientOptions) {
    this.base = new URL(options.tenantUrl);
  }

  /** The URL of `path` (e.g. `Users?filter=…`) under the tenant URL, keeping the tenant URL's own query (Entra's flags). */
  url(pathAndQuery: string): string {
    const [path, query = ""] = pathAndQuery.split(/\?(.*)/s);
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path}`;
    const own = this.base.search.replace(/^\?/, "");
    url.search = [own, query].filter(Boolean).join("&");
    return url.toString();
  }

  /** The resource URL the IdP would put in a `$ref`. */
  ref(path: string): string {
    return this.url(path).split("?")[0];
  }

  /**
   * Sends one request, retrying as the IdP would; resolves when the answer's status is one of `expected`, else
   * rejects with an IdpFailure naming the request and the server's detail.
   */
  async send(method: string, pathAndQuery: string, body: unknown, expected: number[]): Promise<Answer> {
    const name = `${method} ${pathAndQuery}`;
    const sleep = this.options.sleep ?? realSleep;
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | null = null;
      let failure: number | "network" = "network";
      let detail = "";
      this.stats.requests++;
      try {
        const res = await doFetch(this.url(pathAndQuery), {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: "application/scim+json",
            ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
            ...this.options.headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        this.stats.byStatus[res.status] = (this.stats.byStatus[res.status] ?? 0) + 1;
        answer = { status: res.status, body: parseBody(text), headers: res.headers };
        failure = res.status;
        detail = typeof answer.body?.detail === "string" ? answer.body.detail : text.slice(0, 300);
        if (expected.includes(res.status)) return answer;
      } catch (error) {
        this.stats.byStatus.network = (this.stats.byStatus.network ?? 0) + 1;
        detail = (error as Error).cause ? String((error as Error & { cause: unknown }).cause) : (error as Error).message;
      }
      const wait = attempt < this.options.policy.maxAttempts ? this.options.policy.wait(attempt, failure, answer?.headers.get("retry-after") ?? null) : null;
      if (wait === null) throw new IdpFailure(name, failure, detail);
      this.stats.retries++;
      this.stats.waitedSeconds += wait;
      await sleep(wait);
    }
  }
}

function parseBody(text: string): Json | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return null;
  }
}
