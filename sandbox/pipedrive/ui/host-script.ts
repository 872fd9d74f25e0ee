import path from 'node:path';

const HOST_ENTRY = path.join(import.meta.dirname, 'browser', 'host.ts');

/**
 * The host script runs in the browser but is written in TypeScript next to the sandbox, so it is
 * type-checked with it. Vite bundles it into one ES module, in memory, once per process when first
 * requested. Vite is a dev dependency: the sandbox is a development tool and needs them installed.
 */
export async function buildHostScript(): Promise<string> {
  const { build } = await import('vite');
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    root: path.dirname(HOST_ENTRY),
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      sourcemap: 'inline',
      rollupOptions: { input: HOST_ENTRY, output: { format: 'es', entryFileNames: 'host.js' } },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  for (const result of results) {
    if (!('output' in result)) continue;
    const chunk = result.output.find((item) => item.type === 'chunk' && item.isEntry);
    if (chunk !== undefined && chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('Vite produced no bundle for the sandbox host script');
}
