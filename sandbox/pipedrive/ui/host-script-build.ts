import path from 'node:path';
import { build } from 'vite';

/**
 * Bundles the sandbox's browser host script (`browser/host.ts`) with Vite into one ES module and
 * writes it to stdout. Run as its own process by `host-script.ts`: Vite's native bundler refuses
 * objects from another JavaScript realm, which is what jest's module sandbox would hand it.
 */
const entry = path.join(import.meta.dirname, 'browser', 'host.ts');
const output = await build({
  configFile: false,
  logLevel: 'warn',
  root: path.dirname(entry),
  build: {
    write: false,
    target: 'es2022',
    minify: false,
    sourcemap: 'inline',
    rollupOptions: { input: entry, output: { format: 'es', entryFileNames: 'host.js' } },
  },
});
const chunk = (Array.isArray(output) ? output : [output])
  .flatMap((result) => ('output' in result ? result.output : []))
  .find((item) => item.type === 'chunk' && item.isEntry);
if (chunk === undefined || chunk.type !== 'chunk') throw new Error('Vite produced no bundle for the host script');
process.stdout.write(chunk.code);
