import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServerProcess {
  /** Base URL the server listens on (PORT=0 picks a free port; we read it from the logs). */
  url: string;
  /** Everything the process wrote, one parsed JSON log record per line. */
  logs: Record<string, unknown>[];
  child: ChildProcess;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `node server/main.ts` the way `npm start` does, on the Node running this script (24),
 * and resolves once it says it is listening. Never sleeps: it waits for the log line.
 */
export function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [path.resolve('server/main.ts')], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`server did not start within ${options.timeoutMs ?? 30_000} ms\n${stderr}\n${JSON.stringify(logs)}`),
      );
    }, options.timeoutMs ?? 30_000);
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        logs.push(record);
        const match = /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(String(record['msg']));
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve({
            url: match[1],
            logs,
            child,
            stop() {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening\n${stderr}`));
    });
  });
}

export function logMessages(server: ServerProcess): string[] {
  return server.logs.map((record) => String(record['msg']));
}
