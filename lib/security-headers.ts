/**
 * The security headers of every response. Pages get a Content-Security-Policy with a fresh nonce per request
 * (set by proxy.ts; Next puts the nonce on its own scripts), so no inline script runs unless the server wrote
 * it. The headers every response gets (nosniff, referrer policy, HSTS, …) are set by proxy.ts and, for SCIM, by
 * its route handler (which the proxy skips): not by `headers()` in next.config.mjs, which Next.js evaluates
 * against every request's path and which cost a SCIM lookup about an eighth of its server CPU (`npm run bench`).
 */

/** For every response. HSTS only in production builds; browsers ignore it over plain HTTP (RFC 6797 §8.1). */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "same-origin"],
  ["X-Frame-Options", "DENY"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"],
  ...(process.env.NODE_ENV === "production" ? [["Strict-Transport-Security", "max-age=63072000; includeSubDomains"] as const] : []),
];

/** Route handlers and SCIM answer JSON: they load nothing and may not be framed. */
export const NON_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** `response` with the headers of every response, and `contentSecurityPolicy` when given. */
export function withSecurityHeaders<R extends { headers: Headers }>(response: R, contentSecurityPolicy?: string): R {
  for (const [name, value] of SECURITY_HEADERS) response.headers.set(name, value);
  if (contentSecurityPolicy) response.headers.set("Content-Security-Policy", contentSecurityPolicy);
  return response;
}

/** A page's CSP: scripts only from this origin or carrying the nonce, no framing, forms only to this origin. */
export function pageContentSecurityPolicy(nonce: string, options: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets the nonce'd bootstrap load Next's chunks; React needs eval only in development.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // Styles may be inline (Radix positions dialogs with style attributes); scripts may not.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** A nonce for one response: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
