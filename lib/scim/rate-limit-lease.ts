/**
 * This instance's share of the tenants' rate-limit buckets (lib/scim/rate-limit.ts). Taking one token from the
 * shared bucket per request makes every SCIM request of a tenant, reads included, write the same row. Instead an
 * instance takes a few tokens at once and spends them locally; the exact limit still holds across any number of
 * instances, because every request served spends a token that was taken from the one bucket.
 *
 * - The first request of a tenant asks for one token, as without leases. When a lease is spent before its window
 *   ends, the next asks for twice as many; when its window ends first, the next asks for as many as were used.
 *   So a quiet tenant takes tokens one at a time and a busy one in batches, never more than a second's refill
 *   (`leaseCap`): a limit under 120 a minute is taken request by request.
 * - A lease is spent only within its window (a second); its unused tokens are given back with the next ask, so
 *   an instance keeps no more than a second's refill from the others, and for no longer than a window.
 * - Tokens held by an instance that stops are lost, never spent twice: the limit errs on the strict side.
 *
 * Keys are token hashes (the tenant is known only once the token is), so a rotated token starts a new lease.
 */
export class RateLimitLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { windowMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.windowMs = options.windowMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Spends one token this instance holds for `key`; false when it holds none in its window (ask the bucket). */
  spend(key: string): boolean {
    const lease = this.leases.get(key);
    if (!lease || lease.tokens < 1 || this.expired(lease)) return false;
    lease.tokens--;
    lease.used++;
    return true;
  }

  /**
   * What to ask the bucket for, for a request that found no token here: `want` tokens (the request spends the
   * first), and the `giveBack` unused ones of the last lease, which this forgets.
   */
  ask(key: string, perMinute: number): { want: number; giveBack: number } {
    const lease = this.leases.get(key);
    if (!lease) return { want: 1, giveBack: 0 };
    this.leases.delete(key);
    const outgrown = lease.tokens < 1 && !this.expired(lease);
    const want = outgrown ? lease.size * 2 : lease.used;
    return { want: Math.max(1, Math.min(leaseCap(perMinute), want)), giveBack: Math.max(0, lease.tokens) };
  }

  /**
   * Records what the bucket granted to an ask; the asking request spends the first token when any was granted.
   * Concurrent asks of one instance each add what they were granted.
   */
  took(key: string, granted: number): void {
    if (granted < 1) return;
    const current = this.leases.get(key);
    if (current && !this.expired(current)) {
      current.tokens += granted - 1;
      current.size += granted;
      current.used++;
      return;
    }
    // An expired lease's tokens were taken from the bucket all the same: they stay this instance's to spend.
    const lease = { tokens: (current?.tokens ?? 0) + granted - 1, size: granted, used: 1, takenAt: this.now() };
    this.leases.delete(key);
    this.leases.set(key, lease);
    if (this.leases.size > this.maxEntries) this.leases.delete(this.leases.keys().next().value!);
  }

  /** Tokens this instance holds for `key` (for tests and diagnostics). */
  held(key: string): number {
    return this.leases.get(key)?.tokens ?? 0;
  }

  private expired(lease: Lease): boolean {
    return this.now() - lease.takenAt >= this.windowMs;
  }
}

type Lease = {
  /** Tokens left to spend. */
  tokens: number;
  /** Tokens granted into this lease. */
  size: number;
  /** Requests served from it, the asking ones included. */
  used: number;
  takenAt: number;
};

/** The most tokens one ask takes: what the bucket refills in a second, at least one, at most 256. */
export function leaseCap(perMinute: number): number {
  return Math.max(1, Math.min(256, Math.floor(perMinute / 60)));
}
