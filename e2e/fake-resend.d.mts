export type FakeResend = {
  url: string;
  outbox: Array<{ to: string | string[]; subject: string; text: string; html: string; id: string; idempotencyKey: string | null }>;
  /** Every POST /emails, with the time it arrived (ms). */
  requests: Array<{ headers: Record<string, string | string[] | undefined>; body: string; at: number }>;
  /** The status of each answer to POST /emails, in order. */
  answers: Array<{ status: number }>;
  close: () => Promise<void>;
};
export function startFakeResend(
  port?: number,
  options?: { failFirst?: number; failTo?: string[]; perSecond?: number; dailyQuota?: number },
): Promise<FakeResend>;
