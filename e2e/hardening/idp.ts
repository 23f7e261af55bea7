// A simulated IdP: a plain HTTP client that provisions one tenant over SCIM, spreading its requests over several
// instances of the app, and retrying the way IdPs do (Entra and Okta retry on connection errors and 5xx, honour
// Retry-After on 429, and treat a 409 on a create they retried as "already there").
export const SCIM_SCHEMAS = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
} as const;

export type Reply = { status: number; body: any; headers: Headers };

export class SimulatedIdp {
  /** Requests sent (every attempt), answers received by status, attempts that got no answer at all. */
  readonly stats = { sent: 0, byStatus: new Map<number, number>(), unanswered: 0, retried: 0 };
  private next = 0;

  constructor(
    private token: string,
    private readonly instances: () => string[],
    private readonly options: { retry: boolean } = { retry: false },
  ) {}

  useToken(token: string): void {
    this.token = token;
  }

  /** One request to the next instance in turn (or `via`); with retry on, until it is answered without a 5xx. */
  async send(method: string, path: string, body?: unknown, via?: string): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      const urls = this.instances();
      const base = via ?? urls[this.next++ % urls.length];
      this.stats.sent++;
      let reply: Reply | undefined;
      try {
        const response = await fetch(`${base}/scim/v2/${path}`, {
          method,
          headers: { authorization: `Bearer ${this.token}`, "content-type": "application/scim+json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        reply = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
        this.stats.byStatus.set(reply.status, (this.stats.byStatus.get(reply.status) ?? 0) + 1);
      } catch {
        this.stats.unanswered++;
      }
      const retryable = !reply || reply.status >= 500 || reply.status === 429;
      if (!retryable || !this.options.retry || attempt >= 40) {
        if (!reply) throw new Error(`${method} ${path}: no answer`);
        return reply;
      }
      this.stats.retried++;
      const wait = reply?.status === 429 ? Number(reply.headers.get("retry-after")) * 1000 : 250 * Math.min(attempt, 8);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Creates a user; a 409 after a retry means an earlier attempt got through, so the IdP looks the id up. */
  async createUser(userName: string): Promise<string> {
    const reply = await this.send("POST", "Users", {
      schemas: [SCIM_SCHEMAS.user],
      userName,
      name: { givenName: userName.split("@")[0], familyName: "Test" },
      emails: [{ primary: true, type: "work", value: userName }],
      active: true,
    });
    if (reply.status === 201) return reply.body.id;
    if (reply.status === 409) return this.findId("Users", `userName eq "${userName}"`);
    throw new Error(`POST Users ${userName}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }

  async createGroup(displayName: string): Promise<string> {
    const reply = await this.send("POST", "Groups", { schemas: [SCIM_SCHEMAS.group], displayName });
    if (reply.status === 201) return reply.body.id;
    if (reply.status === 409) return this.findId("Groups", `displayName eq "${displayName}"`);
    throw new Error(`POST Groups ${displayName}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }

  private async findId(resource: string, filter: string): Promise<string> {
    const reply = await this.send("GET", `${resource}?filter=${encodeURIComponent(filter)}`);
    if (reply.status !== 200 || reply.body.Resources?.length !== 1) throw new Error(`GET ${resource} ${filter}: ${reply.status}`);
    return reply.body.Resources[0].id;
  }

  async members(op: "add" | "remove", groupId: string, userIds: string[]): Promise<Reply> {
    return this.expectOk(
      "PATCH",
      `Groups/${groupId}`,
      await this.send("PATCH", `Groups/${groupId}`, {
        schemas: [SCIM_SCHEMAS.patchOp],
        Operations: [{ op, path: "members", value: userIds.map((value) => ({ value })) }],
      }),
    );
  }

  async rename(groupId: string, displayName: string): Promise<Reply> {
    const body = { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", path: "displayName", value: displayName }] };
    return this.expectOk("PATCH", `Groups/${groupId}`, await this.send("PATCH", `Groups/${groupId}`, body));
  }

  async deactivate(userId: string): Promise<Reply> {
    const body = { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", value: { active: false } }] };
    return this.expectOk("PATCH", `Users/${userId}`, await this.send("PATCH", `Users/${userId}`, body));
  }

  /** Deletes a group; a 404 after a retry means an earlier attempt got through. */
  async deleteGroup(groupId: string): Promise<void> {
    const reply = await this.send("DELETE", `Groups/${groupId}`);
    if (reply.status !== 204 && !(this.options.retry && reply.status === 404)) throw new Error(`DELETE Groups/${groupId}: ${reply.status}`);
  }

  private expectOk(method: string, path: string, reply: Reply): Reply {
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply;
  }

  get answered(): number {
    return [...this.stats.byStatus.values()].reduce((a, b) => a + b, 0);
  }
}
