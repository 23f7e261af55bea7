/**
 * The security headers of every response. Pages get a Content-Security-Policy with a fresh nonce per request
 * (set by proxy.ts; Next puts the nonce on its own scripts), so no inline script runs unless the server wrote
 * it. The headers every response gets (nosniff, referrer policy, HSTS, …) are set in next.config.mjs.
 */

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
