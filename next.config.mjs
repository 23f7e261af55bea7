import createNextIntlPlugin from "next-intl/plugin";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WASM and data files from its own package folder; bundling it breaks those paths.
  serverExternalPackages: ["@electric-sql/pglite"],
  // IdPs call `/scim/v2/Users/` with a trailing slash; a 308 redirect would make some of them drop the body.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  // Security headers: proxy.ts and the SCIM route handler set them (lib/security-headers.ts), not `headers()`.
};

// Languages without locale-prefixed URLs: lib/i18n/request.ts picks the language per request.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

export default withNextIntl(nextConfig);
