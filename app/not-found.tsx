import { NotFoundMessage } from "@/components/not-found-message";

/** An address that matches no page, answered with 404 in the visitor's language and a way to the start page. */
export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-12">
      <NotFoundMessage back="home" />
    </main>
  );
}
