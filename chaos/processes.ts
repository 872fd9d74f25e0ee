import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Role = 'web' | 'worker';

/**
 * One Parley process the harness owns: `node server/main.ts` (web, RUN_WORKERS=false) or
 * `node server/worker.ts` (what `npm run worker` runs). It can be killed with SIGKILL and started
 * again; an exit nobody asked for (a crash) restarts it too and is counted.
 */
export class ManagedProcess {
  readonly name: string;
  readonly role: Role;
  readonly port: number | undefined;
  private readonly env: Record<string, string>;
  private readonly log: WriteStream;
  private child: ChildProcess | undefined;
  private expectedExit = false;
  private stopping = false;
  /** Set while the process answers /readyz (web) or runs (worker); the balancer reads it. */
  up = false;
  starts = 0;
  crashes = 0;
  /** Exits without a kill from the harness, with their code and signal. */
  readonly crashLog: string[] = [];

  constructor(options: { name: string; role: Role; port?: number; env: Record<string, string>; logFile: string }) {
    this.name = options.name;
    this.role = options.role;
    this.port = options.port;
    this.env = options.env;
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  /** Spawns the process; for web, resolves once `/readyz` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.expectedExit = false;
    const script = this.role === 'web' ? 'server/main.ts' : 'server/worker.ts';
    const child = spawn(process.execPath, [path.join(ROOT, script)], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        ...this.env,
        ...(this.port === undefined ? {} : { PORT: String(this.port) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    this.log.write(`--- start #${this.starts} pid ${child.pid ?? '?'} at ${new Date().toISOString()}\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.up = false;
      this.log.write(`--- exit code ${code} signal ${signal} at ${new Date().toISOString()}\n`);
      if (this.expectedExit || this.stopping) return;
      this.crashes += 1;
      this.crashLog.push(`${this.name}: exit code ${code} signal ${signal}`);
      // A crash (e.g. the database went away under it) is restarted like a kill, so the run goes on.
      // A second later, so a process that cannot start (database down) does not spin.
      void sleep(1_000)
        .then(() => (this.stopping ? undefined : this.start()))
        .catch((error: unknown) => this.crashLog.push(`${this.name}: restart failed: ${String(error)}`));
    });
    if (this.role === 'worker') {
      this.up = true;
      return;
    }
    await this.waitReady(child, timeoutMs);
  }

  private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited while starting`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200 && this.child === child) {
          this.up = true;
          return;
        }
      } catch {
        // not listening yet
      }
      // Polling a readiness endpoint: there is no event to wait on across processes.
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms`);
  }

  /** kill -9, wait for the exit, start again. */
  async killAndRestart(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.expectedExit = true;
    this.up = false;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await this.start();
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}

/**
 * A TCP round-robin balancer in front of the web instances (PUBLIC_URL points at it): a connection
 * goes to the next instance that is up; when the connect fails it tries the others; with none up the
 * client's socket is reset (Meta then retries the webhook). A killed instance resets its sockets.
 */
export class Balancer {
  private server: Server | undefined;
  private next = 0;
  private readonly sockets = new Set<Socket>();
  refused = 0;
  port = 0;

  private readonly backends: ManagedProcess[];

  constructor(backends: ManagedProcess[]) {
    this.backends = backends;
  }

  async listen(): Promise<string> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.once('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      this.route(client, 0);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('balancer has no port');
    this.port = address.port;
    return `http://127.0.0.1:${this.port}`;
  }

  private route(client: Socket, tried: number): void {
    const candidates = this.backends.filter((backend) => backend.up);
    if (candidates.length === 0 || tried >= this.backends.length) {
      this.refused += 1;
      client.resetAndDestroy();
      return;
    }
    const backend = candidates[this.next++ % candidates.length] as ManagedProcess;
    const upstream = connect({ port: backend.port ?? 0, host: '127.0.0.1' });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
    });
    upstream.on('error', () => {
      upstream.destroy();
      if (!connected && !client.destroyed) this.route(client, tried + 1);
      else client.resetAndDestroy();
    });
    upstream.once('close', () => {
      if (connected && !client.destroyed) client.destroy();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/**
 * A TCP proxy between Parley's processes and PostgreSQL (reliability.md's substitute for toxiproxy):
 * `outage(ms)` cuts every open connection and refuses new ones for that long, which is what a
 * database restart or a network cut looks like to Parley, without touching the machine's server.
 */
export class DatabaseProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private readonly target: { host: string; port: number };
  refused = 0;

  constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  /** Listens on a free loopback port; answers the port. */
  async listen(): Promise<number> {
    this.server = createServer((client) => {
      if (this.down) {
        this.refused += 1;
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('database proxy has no port');
    return address.port;
  }

  async outage(ms: number): Promise<void> {
    this.down = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    await sleep(ms);
    this.down = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
