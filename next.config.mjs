import createNextIntlPlugin from "next-intl/plugin";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WASM and data files from its own package folder; bundling it breaks those paths.
  serverExternalPackages: ["@electric-sql/pglite"],
  // IdPs call `/scim/v2/Users/` with a trailing slash; a 308 redirect would make some of them drop the body.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  // Every page's metadata is a translated title, ready as soon as the page is: streaming it after the body gains
  // nothing here, and on a `router.refresh()` (the SCIM page's auto-refresh) the streamed title sometimes left the
  // document for a moment, so the tab read "localhost:3000/…". This pattern sends it in the <head> for every client
  // (https://nextjs.org/docs/app/api-reference/config/next-config-js/htmlLimitedBots, "Disabling").
  htmlLimitedBots: /.*/,
  // Security headers: proxy.ts and the SCIM route handler set them (lib/security-headers.ts), not `headers()`.
};

// Languages without locale-prefixed URLs: lib/i18n/request.ts picks the language per request.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

export default withNextIntl(nextConfig);
