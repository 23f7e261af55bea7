import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sally", template: "%s · Sally" },
  description: "Sally user provisioning over SCIM 2.0",
};

// Every page renders per request: its scripts carry the nonce of that response's Content-Security-Policy.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-gray-50 text-gray-900 antialiased">{children}</body>
    </html>
  );
}
