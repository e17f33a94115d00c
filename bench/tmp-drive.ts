// temporary: drive POST /tickets against a running server: URL PASSWORD SECONDS
import { buildRequest, runLoad } from './lib/http-client.ts';
const [url, password, secs] = process.argv.slice(2) as [string, string, string];
const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.guichet.test', password }) });
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
const created = await fetch(`${url}/api/v1/api-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'drive' }) });
const { token } = (await created.json()) as { token: string };
const u = new URL(url);
const reqs = Array.from({ length: 512 }, (_, i) => buildRequest('POST', '/api/v1/tickets', u.host, { authorization: `Bearer ${token}` }, JSON.stringify({ subject: `Card declined ${i}`, body: 'Hello, I tried three times today and it still does not work. Thanks in advance.', requester: { email: `c${i % 300}@example.com`, name: `C ${i}` }, tags: ['billing', 'vip'].slice(0, i % 3), priority: i % 7 ? 'normal' : 'high', language: i % 2 ? 'fr' : 'en' })));
const r = await runLoad({ host: u.hostname, port: Number(u.port), connections: 32, warmupMs: 1000, durationMs: Number(secs) * 1000, request: (i) => reqs[i & 511]!, expectStatus: 201, onError: (w) => console.error(w) });
console.log(`rps ${r.rps.toFixed(0)} p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} errors ${r.errors}`);
