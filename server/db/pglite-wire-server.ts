import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { createScramVerifier, startScramExchange } from './wire-auth.ts';

/**
 * Serves one PGlite database to many `pg` connections over TCP.
 *
 * PGlite is a single PostgreSQL session, so connections must take turns, and a turn must cover a
 * whole protocol exchange: an extended-protocol query is several messages (Parse, Bind, Describe,
 * Execute … Sync) that share the session's unnamed statement and portal. Interleaving two
 * connections' messages lets one connection's Bind run another's statement — which is what a
 * message-by-message multiplexer (@electric-sql/pglite-socket 0.2) does under concurrent load,
 * returning wrong rows. Here a turn is a batch of messages up to Sync or Query, and a connection
 * that is inside a transaction (or mid-exchange after Flush) keeps the session until it ends.
 *
 * PGlite itself accepts anyone as superuser, and a loopback port is open to every local process
 * (issue 7, finding 5). So the server requires a password, which the caller generates and keeps in
 * memory, proven with SCRAM-SHA-256 before any message reaches PGlite.
 */
export interface PgliteWireServer {
  port: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
/** Messages after which the client waits for the server: the end of a turn. */
const TURN_END = new Set(['S', 'Q', 'H', 'X']);

interface Turn {
  connection: Connection;
  bytes: Uint8Array;
  /** False after Flush: the exchange continues and the session stays with this connection. */
  endsExchange: boolean;
}

class Connection {
  readonly socket: Socket;
  buffer = Buffer.alloc(0);
  started = false;
  /** The startup message, held back from PGlite until the client proved the password. */
  startup: Uint8Array | undefined;
  authenticated = false;
  scram: ReturnType<typeof startScramExchange> | undefined;
  pending: Buffer[] = [];
  constructor(socket: Socket) {
    this.socket = socket;
  }
}

/** A backend message: type byte, int32 length (itself included), body. */
function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const SASL = 10;
const SASL_CONTINUE = 11;
const SASL_FINAL = 12;

function refuse(socket: Socket): void {
  socket.end(
    message(
      'E',
      cstring('SFATAL'),
      cstring('VFATAL'),
      cstring('C28P01'),
      cstring('Mpassword authentication failed'),
      Buffer.from([0]),
    ),
  );
}

export async function servePglite(
  db: PGlite,
  options: { password: string; host?: string; port?: number },
): Promise<PgliteWireServer> {
  const verifier = createScramVerifier(options.password);
  const turns: Turn[] = [];
  const connections = new Set<Connection>();
  let owner: Connection | undefined;
  let running = false;

  /** Runs queued turns: the owner's first, anyone's when the session is free. */
  async function pump(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const index = turns.findIndex((turn) => owner === undefined || turn.connection === owner);
        if (index === -1) break;
        const [turn] = turns.splice(index, 1);
        if (turn === undefined) break;
        const { connection } = turn;
        if (connection.socket.destroyed) continue;
        await db.execProtocolRawStream(turn.bytes, {
          onRawData: (chunk) => {
            if (!connection.socket.destroyed) connection.socket.write(chunk);
          },
        });
        owner = db.isInTransaction() || !turn.endsExchange ? connection : undefined;
      }
    } catch (error) {
      // A failure inside PGlite leaves the session unusable for this client: drop it, keep serving.
      owner?.socket.destroy(error as Error);
      owner = undefined;
    } finally {
      running = false;
    }
    if (turns.some((turn) => owner === undefined || turn.connection === owner)) void pump();
  }

  async function release(connection: Connection): Promise<void> {
    connections.delete(connection);
    for (let i = turns.length - 1; i >= 0; i -= 1) if (turns[i]?.connection === connection) turns.splice(i, 1);
    if (owner === connection) {
      // The client vanished mid-transaction: roll it back so the session is usable again.
      while (running) await new Promise((resolve) => setImmediate(resolve));
      if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
      owner = undefined;
      void pump();
    }
  }

  function onData(connection: Connection, chunk: Buffer): void {
    connection.buffer = Buffer.concat([connection.buffer, chunk]);
    for (;;) {
      const { buffer } = connection;
      if (!connection.started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        connection.buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) connection.socket.write('N');
        else if (code === CANCEL_REQUEST) connection.socket.end();
        else {
          connection.started = true;
          connection.startup = new Uint8Array(buffer.subarray(0, length));
          connection.socket.write(message('R', int32(SASL), cstring('SCRAM-SHA-256'), Buffer.from([0])));
        }
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1) + 1;
      if (buffer.length < length) return;
      const type = String.fromCharCode(buffer[0] ?? 0);
      connection.buffer = buffer.subarray(length);
      if (!connection.authenticated) {
        if (!authenticate(connection, type, buffer.subarray(5, length))) return;
        continue;
      }
      connection.pending.push(buffer.subarray(0, length));
      if (type === 'X') {
        connection.socket.end();
        return;
      }
      if (TURN_END.has(type)) {
        turns.push({
          connection,
          bytes: new Uint8Array(Buffer.concat(connection.pending)),
          endsExchange: type !== 'H',
        });
        connection.pending = [];
        void pump();
      }
    }
  }

  /** Steps the SCRAM exchange with one client message; false when the connection was refused. */
  function authenticate(connection: Connection, type: string, body: Buffer): boolean {
    if (type !== 'p') {
      refuse(connection.socket);
      return false;
    }
    if (connection.scram === undefined) {
      // SASLInitialResponse: mechanism name, then the length-prefixed client-first message.
      const nameEnd = body.indexOf(0);
      const mechanism = body.subarray(0, Math.max(nameEnd, 0)).toString('utf8');
      const scram = startScramExchange(verifier);
      const serverFirst =
        nameEnd > 0 && mechanism === 'SCRAM-SHA-256' && body.length >= nameEnd + 5
          ? scram.serverFirst(body.subarray(nameEnd + 5).toString('utf8'))
          : undefined;
      if (serverFirst === undefined) {
        refuse(connection.socket);
        return false;
      }
      connection.scram = scram;
      connection.socket.write(message('R', int32(SASL_CONTINUE), Buffer.from(serverFirst, 'utf8')));
      return true;
    }
    const serverFinal = connection.scram.serverFinal(body.toString('utf8'));
    if (serverFinal === undefined || connection.startup === undefined) {
      refuse(connection.socket);
      return false;
    }
    connection.authenticated = true;
    connection.socket.write(message('R', int32(SASL_FINAL), Buffer.from(serverFinal, 'utf8')));
    // PGlite now sees the startup message and answers AuthenticationOk, parameters, ReadyForQuery.
    turns.push({ connection, bytes: connection.startup, endsExchange: true });
    void pump();
    return true;
  }

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const connection = new Connection(socket);
    connections.add(connection);
    socket.on('data', (chunk: Buffer) => onData(connection, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void release(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const connection of connections) connection.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      while (running) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
