// Runs once when a Next server process starts: fail fast on bad configuration, then keep the outbox draining.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/lib/server-start");
  await startServer();
}
