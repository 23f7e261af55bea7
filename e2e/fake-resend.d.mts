export type FakeResend = {
  url: string;
  outbox: Array<{ to: string | string[]; subject: string; text: string; html: string; id: string; idempotencyKey: string | null }>;
  requests: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  close: () => Promise<void>;
};
export function startFakeResend(port?: number, options?: { failFirst?: number; failTo?: string[] }): Promise<FakeResend>;
