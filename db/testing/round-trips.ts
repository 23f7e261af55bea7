import net from "node:net";

/** What a client sent through the proxy since the last reset. */
export type WireCount = {
  /**
   * Times the client waited for the server: a Sync, Flush or simple Query sent after an answer reached the
   * client (and the first one sent on a connection). Answers are held until the client has written nothing for
   * two turns of the event loop and for HOLD_MS, then passed on: a client that writes one pipeline in pieces
   * (postgres.js writes a message of 1 KiB or more at once and the rest when the turn is done) has written all of
   * it by then, even when its process was busy in between, so what it writes after an answer is one it waited for.
   * Holding an answer longer can only join pieces the client wrote without waiting; a client that waits writes
   * nothing until the answer arrives, however long that is. Statements sent together, pipelined, share one round
   * trip.
   */
  roundTrips: number;
  /** Statements executed: Execute messages plus simple queries (BEGIN and COMMIT are simple queries). */
  statements: number;
  /** The statements' text, in order (simple queries and Parse messages), for a readable failure. */
  texts: string[];
};

/**
 * How long the client must have written nothing before a held answer is passed on: longer than a pause of its
 * process between two pieces of one pipeline (a collection, a busy test runner), short beside a test's time.
 */
const HOLD_MS = 5;

/**
 * A TCP proxy in front of PostgreSQL that reads the client's side of the wire protocol (PostgreSQL docs,
 * "Frontend/Backend Protocol", message formats) and counts round trips and statements: a deterministic
 * measure of what one request costs, unlike timing.
 */
export async function startCountingProxy(target: { host: string; port: number }) {
  const count: WireCount = { roundTrips: 0, statements: 0, texts: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: target.port, host: target.host, noDelay: true });
    sockets.add(client).add(upstream);
    let buffer = Buffer.alloc(0);
    let started = false;
    // Whether an answer was passed on to the client since it last ended a round trip (the first one counts).
    let answered = true;
    const waitStarts = () => {
      if (answered) count.roundTrips++;
      answered = false;
    };
    // Answers held back, the turns of the event loop the client has been quiet for, and when it last wrote.
    let held: Buffer[] = [];
    let quietTurns = 0;
    let lastWrite = 0;
    let turn: NodeJS.Immediate | NodeJS.Timeout | null = null;
    const tick = () => {
      turn = null;
      if (++quietTurns < 2) {
        turn = setImmediate(tick);
        return;
      }
      const quietFor = performance.now() - lastWrite;
      if (quietFor < HOLD_MS) {
        turn = setTimeout(tick, HOLD_MS - quietFor);
        return;
      }
      if (held.length === 0) return;
      client.write(Buffer.concat(held));
      held = [];
      answered = true;
    };
    const watch = () => {
      turn ??= setImmediate(tick);
    };
    client.on("data", (chunk) => {
      upstream.write(chunk);
      quietTurns = 0;
      lastWrite = performance.now();
      if (held.length > 0) watch();
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        // The startup message (and an SSL request) has no type byte: just a length.
        if (!started) {
          if (buffer.length < 4) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code !== 80877103) started = true;
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
          count.statements++;
          count.texts.push(body.toString("utf8", 0, body.length - 1));
        } else if (type === "S" || type === "H") {
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
      held.push(chunk);
      watch();
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
