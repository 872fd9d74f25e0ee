import module from 'node:module';

/**
 * `npm start`. Turns on Node's compile cache (V8 code cache of every module, kept in the OS temp
 * folder or NODE_COMPILE_CACHE) before anything else loads: the server, its dependencies and the
 * sandbox are ~1,500 modules, and compiling them from scratch was half of a restart's time
 * (issue 13's start benchmark). Static imports would load before this line, hence the dynamic one.
 *
 * package.json runs it with `--max-semi-space-size=16` (MB): V8 sizes the young generation by the
 * machine's memory, and loading those modules grew it to 128 MB, which stayed resident while idle
 * (~140 MB of `npm start`'s idle RSS). 16 MB semi-spaces were V8's own default until recently.
 */
module.enableCompileCache();
await import('./start-parley.ts');
