import module from 'node:module';

/**
 * `npm start`. Turns on Node's compile cache (V8 code cache of every module, kept in the OS temp
 * folder or NODE_COMPILE_CACHE) before anything else loads: the server, its dependencies and the
 * sandbox are ~1,500 modules, and compiling them from scratch was half of a restart's time
 * (issue 13's start benchmark). Static imports would load before this line, hence the dynamic one.
 *
 * package.json runs it with two V8 flags, for memory (issue 13: idle RSS 454 → 310 → 260 MB):
 * - `--max-semi-space-size=16` (MB): V8 sizes the young generation by the machine's memory, and
 *   loading those modules grew it to 128 MB, which stayed resident while idle. 16 MB semi-spaces
 *   were V8's own default until recently.
 * - `--liftoff-only`: WebAssembly (the embedded database's PostgreSQL, 9 MB of it) stays on V8's
 *   baseline compiler. Its background optimizing compiles kept ~55 MB after start and, on two
 *   cores, cost more than the faster code saved (in one run a 4,000-query loop on PGlite ran 20 %
 *   faster without them). It must be on the command line: `v8.setFlagsFromString` at run time
 *   did not take effect.
 */
module.enableCompileCache();
await import('./start-parley.ts');
