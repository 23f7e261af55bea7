/** A white panel; with a title it is a named region (its heading labels it). */
export function Card({ title, children, className = "" }: { title?: string; children: React.ReactNode; className?: string }) {
  const id = title ? `card-${title.toLowerCase().replace(/[^a-z0-9äöüß]+/g, "-")}` : undefined;
  return (
    <section aria-labelledby={id} className={`rounded-lg bg-white p-6 shadow-sm ring-1 ring-gray-200 ${className}`}>
      {title ? (
        <h2 id={id} className="mb-4 text-base font-semibold">
          {title}
        </h2>
      ) : null}
      {children}
    </section>
  );
}
