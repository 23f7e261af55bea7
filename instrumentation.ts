// Runs once when a Next server process starts: answer every HTTP method in form, fail fast on bad configuration,
// then keep the outbox draining.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  (await import("@/lib/scim/method-guard")).installMethodGuard();
  const { startServer } = await import("@/lib/server-start");
  await startServer();
}
