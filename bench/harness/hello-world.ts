import Fastify from 'fastify';

/**
 * The ceiling for the ingest scenario: Fastify's hello world (no logging, no database), run as its
 * own process on the same machine in the same run, so ratios hold however loaded the machine is.
 */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
process.send?.('ready');
process.once('disconnect', () => void app.close().then(() => process.exit(0)));
