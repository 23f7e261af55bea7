import net from "node:net";

/** What a client sent through the proxy since the last reset. */
export type WireCount = {
  /**
   * Times the client waited for the server: a Sync, Flush or simple Query ends one round trip, unless it was seen
   * while an earlier one was still unanswered (statements sent together, pipelined, share one round trip). Seen
   * here, in this process: pipelined messages the client wrote separately (postgres.js writes one of 1 KiB or more
   * at once, smaller ones together) may reach the proxy after the first one's answer and count as two, so a
   * pipelined count is exact for small statements and at most one too high per large one.
   */
  roundTrips: number;
  /** Statements executed: Execute messages plus simple queries (BEGIN and COMMIT are simple queries). */
  statements: number;
  /** The statements' text, in order (simple queries and Parse messages), for a readable failure. */
  texts: string[];
};

/**
 * A TCP proxy in front of PostgreSQL that reads the client's side of the wire protocol (PostgreSQL docs,
 * "Frontend/Backend Protocol", message formats) and counts round trips and statements: a deterministic
 * measure of what one request costs, unlike timing.
 */
export async function startCountingProxy(target: { host: string; port: number }) {
  const count: WireCount = { roundTrips: 0, statements: 0, texts: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let buffer = Buffer.alloc(0);
    let started = false;
    // Syncs and simple queries sent and not yet answered by ReadyForQuery ('Z'), read from the server's side;
    // before the server's first typed message comes the one-byte answer to an SSL request, if the client sent one.
    let unanswered = 0;
    let answers = Buffer.alloc(0);
    let sslAnswerPending = false;
    const waitStarts = () => {
      if (unanswered === 0) count.roundTrips++;
    };
    client.on("data", (chunk) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        // The startup message (and an SSL request) has no type byte: just a length.
        if (!started) {
          if (buffer.length < 4) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 80877103) sslAnswerPending = true;
          else started = true;
          continue;
        }
        if (buffer.length < 5) break;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) break;
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === "Q") {
          waitStarts();
          unanswered++;
          count.statements++;
          count.texts.push(body.toString("utf8", 0, body.length - 1));
        } else if (type === "S") {
          waitStarts();
          unanswered++;
        } else if (type === "H") {
          waitStarts();
        } else if (type === "E") {
          count.statements++;
        } else if (type === "P") {
          const nameEnd = body.indexOf(0);
          const textEnd = body.indexOf(0, nameEnd + 1);
          count.texts.push(body.toString("utf8", nameEnd + 1, textEnd));
        }
      }
    });
    upstream.on("data", (chunk) => {
      client.write(chunk);
      answers = Buffer.concat([answers, chunk]);
      if (sslAnswerPending && answers.length > 0) {
        answers = answers.subarray(1);
        sslAnswerPending = false;
      }
      while (answers.length >= 5) {
        const length = answers.readInt32BE(1);
        if (answers.length < 1 + length) break;
        if (answers[0] === 0x5a /* Z */) unanswered = Math.max(0, unanswered - 1);
        answers = answers.subarray(1 + length);
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    count,
    port: (server.address() as net.AddressInfo).port,
    reset() {
      count.roundTrips = 0;
      count.statements = 0;
      count.texts = [];
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
