// How each IdP waits and retries when the server is throttling (429) or failing (5xx, network errors).

export type RetryPolicy = {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Seconds to wait before attempt `attempt + 1`, or null to give up. */
  wait(attempt: number, status: number | "network", retryAfter: string | null): number | null;
};

/** Retry-After as whole seconds: delta-seconds, or an HTTP-date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Server failures are retried a few times with a short doubling backoff (1 s, 2 s, 4 s). */
const serverFailure = (attempt: number, status: number | "network") =>
  status === "network" || status >= 500 ? (attempt <= 3 ? 2 ** (attempt - 1) : null) : null;

/**
 * Okta documents its 429 handling (developer.okta.com/docs/concepts/scim/ "Rate limits"): it waits an integer
 * Retry-After; without one (or with an HTTP-date) it waits 5 minutes, doubling on each further retry, at most 10 attempts.
 */
export const oktaPolicy: RetryPolicy = {
  maxAttempts: 10,
  wait(attempt, status, retryAfter) {
    if (status === 429) {
      const header = retryAfter?.trim() ?? "";
      return /^\d+$/.test(header) ? Number(header) : 300 * 2 ** (attempt - 1);
    }
    return serverFailure(attempt, status);
  },
};

/**
 * Microsoft Entra ID retries failed objects "in the next sync cycle… gradually scaling back the frequency"
 * (learn.microsoft.com/entra/identity/app-provisioning/how-provisioning-works); Microsoft Q&A 2284725 reports that
 * Retry-After is honoured. The simulator folds those later cycles into the current one: Retry-After (seconds or
 * date, else 60 s) for 429, a short backoff for 5xx.
 */
export const entraPolicy: RetryPolicy = {
  maxAttempts: 6,
  wait(attempt, status, retryAfter) {
    if (status === 429) return retryAfterSeconds(retryAfter) ?? 60;
    return serverFailure(attempt, status);
  },
};

/** Google, OneLogin and PingOne document no retry behaviour: the simulator honours Retry-After and retries 5xx briefly. */
export const defaultPolicy: RetryPolicy = {
  maxAttempts: 5,
  wait(attempt, status, retryAfter) {
    if (status === 429) return retryAfterSeconds(retryAfter) ?? 60;
    return serverFailure(attempt, status);
  },
};
