import { fork } from 'node:child_process';
import path from 'node:path';
import { cpuMs, freePort } from './processes.ts';

/** Starts the hello-world ceiling as a child process; resolves with its URL and a stop function. */
export async function startHelloWorld(): Promise<{ url: string; cpuMs(): number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = fork(path.join(import.meta.dirname, 'hello-world.ts'), [], {
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port) },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then(() => reject(new Error('the hello-world server exited')));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    cpuMs: () => cpuMs(child.pid ?? 0),
    async stop() {
      if (child.exitCode === null) child.disconnect();
      await exited;
    },
  };
}
