/** @type {import('next').NextConfig} */
const nextConfig = {
  // As in the product: IdPs call `/scim/v2/Users/` with a trailing slash.
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
};

export default nextConfig;
