import createNextIntlPlugin from "next-intl/plugin";

const production = process.env.NODE_ENV === "production";

/** Headers for every response. HSTS only in production builds; browsers ignore it over plain HTTP (RFC 6797 §8.1). */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  ...(production ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
];

/** Route handlers and SCIM answer JSON: they load nothing and may not be framed. Pages get theirs from proxy.ts. */
const nonPagePolicy = [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WASM and data files from its own package folder; bundling it breaks those paths.
  serverExternalPackages: ["@electric-sql/pglite"],
  // IdPs call `/scim/v2/Users/` with a trailing slash; a 308 redirect would make some of them drop the body.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: nonPagePolicy },
      { source: "/scim/:path*", headers: nonPagePolicy },
    ];
  },
};

// Languages without locale-prefixed URLs: lib/i18n/request.ts picks the language per request.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

export default withNextIntl(nextConfig);
