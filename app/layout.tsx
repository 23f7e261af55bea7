import type { Metadata } from "next";
import { connection } from "next/server";
import { NextIntlClientProvider } from "next-intl";
import { getLocale } from "next-intl/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sally", template: "%s · Sally" },
  description: "Sally user provisioning over SCIM 2.0",
  icons: { icon: { url: "/favicon.svg", type: "image/svg+xml" } },
};

// Every page renders per request (its scripts carry the nonce of that response's Content-Security-Policy), in the
// language lib/i18n/request.ts picked; client leaves get the same catalog.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <body className="min-h-screen bg-gray-50 text-gray-900 antialiased">
        <NextIntlClientProvider>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
