/**
 * The reference: the smallest Fastify server (one JSON route, no logging), in its own process
 * like Guichet's. Prints its URL once it listens; SIGTERM closes it.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`hello listening at ${url}`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
