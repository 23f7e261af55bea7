const tones = {
  error: "bg-red-50 text-red-800 ring-red-200",
  warning: "bg-yellow-50 text-yellow-900 ring-yellow-200",
  success: "bg-green-50 text-green-800 ring-green-200",
  info: "bg-brand-light text-gray-900 ring-indigo-200",
} as const;

/** A message in the page: errors and warnings are announced at once (role alert), the rest politely (status). */
export function Alert({ tone, children, className = "" }: { tone: keyof typeof tones; children: React.ReactNode; className?: string }) {
  return (
    <div role={tone === "error" || tone === "warning" ? "alert" : "status"} className={`rounded-md p-3 text-sm ring-1 ${tones[tone]} ${className}`}>
      {children}
    </div>
  );
}
