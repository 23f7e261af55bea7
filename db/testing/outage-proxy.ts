import net from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that a test can take down and bring back: down, it ends every connection
 * through it and refuses new ones (ECONNREFUSED, as from a server that is not listening); up, it listens again on
 * the same port. Stands for a database restart or an outage, seen from the client. `answer` may answer a
 * connection itself (the first made is 1): the bytes it returns go back after the client's first message, and the
 * connection ends there, as when PostgreSQL refuses one with a FATAL error.
 */
export async function startOutageProxy(
  target: { host: string; port: number },
  answer: (connection: number) => Buffer | null = () => null,
) {
  const sockets = new Set<net.Socket>();
  let made = 0;
  const server = net.createServer((client) => {
    const own = answer(++made);
    if (own) {
      client.once("data", () => client.end(own));
      return;
    }
    const upstream = net.connect({ port: target.port, host: target.host });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    /** Rewrites a postgres:// URL to go through the proxy. */
    url(databaseUrl: string): string {
      const url = new URL(databaseUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    async down(): Promise<void> {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    up: () => listen(port),
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      return server.listening ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
    },
  };
}
