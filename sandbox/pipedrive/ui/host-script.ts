import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const BUILD_SCRIPT = path.join(import.meta.dirname, 'host-script-build.ts');

/**
 * The host script runs in the browser but is written in TypeScript next to the sandbox, so it is
 * type-checked with it. Vite (a dev dependency, like the whole sandbox) bundles it in a child
 * process (`host-script-build.ts`), once per process when a page first asks for it.
 */
let built: Promise<string> | undefined;

export function hostScript(): Promise<string> {
  built ??= promisify(execFile)(process.execPath, [BUILD_SCRIPT], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  }).then(
    ({ stdout }) => stdout,
    (error: unknown) => {
      built = undefined; // not cached: the next page load tries again
      throw error;
    },
  );
  return built;
}
