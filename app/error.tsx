"use client";

import type { ErrorInfo } from "next/error";
import { SegmentError } from "@/components/segment-error";

/**
 * A failure no segment below caught: the admin shell (which reads the session from the database), sign-in, a
 * member's own page. Rendered inside the root layout, so in the visitor's language.
 */
export default function RootError(props: ErrorInfo) {
  return (
    <main className="mx-auto max-w-xl px-6 py-12">
      <SegmentError {...props} />
    </main>
  );
}
