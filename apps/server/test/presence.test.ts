/**
 * The collision warning: who is viewing or replying to a ticket travels over the live connection
 * to the other staff of the workspace, through NOTIFY, so two processes on one PostgreSQL share it;
 * it ends when the browser leaves, closes, or stops saying it is there. Other workspaces, customers
 * and malformed messages get nothing.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { openDatabase, type Database } from '@guichet/db';
import { createPgDatabase, testDbKinds } from '@guichet/db/testing';
import { PresenceBoard, PRESENCE_TTL_MS, parsePresenceMessage } from '../src/realtime/presence.ts';
import { startRealtime, type RealtimeHub } from '../src/realtime/hub.ts';
import { newWorkspace, startTestApp, type Caller, type TestApp } from './harness.ts';

const T1 = '01900000-0000-7000-8000-000000000001';

describe('presence board', () => {
  const note = (k: string, u: string, n: string, s: 'viewing' | 'replying' | null, t = T1) => ({ w: 'ws', t, k, u, n, s });
  it('keeps one line per person (replying wins), tells when the people change, and forgets silent connections', () => {
    const b = new PresenceBoard();
    assert.equal(b.apply(note('p:1', 'u1', 'Marie', 'viewing'), 0), true);
    assert.equal(b.apply(note('p:1', 'u1', 'Marie', 'viewing'), 1000), false, 'a repeat changes nothing');
    assert.equal(b.apply(note('p:2', 'u1', 'Marie', 'replying'), 1000), true, 'a second tab of hers replies');
    assert.equal(b.apply(note('q:1', 'u2', 'Amine', 'viewing'), 2000), true);
    assert.deepEqual(b.people('ws', T1, 2000), [{ userId: 'u2', name: 'Amine', state: 'viewing' }, { userId: 'u1', name: 'Marie', state: 'replying' }]);
    assert.equal(b.apply(note('p:2', 'u1', 'Marie', null), 3000), true);
    assert.deepEqual(b.people('ws', T1, 3000).map((p) => p.state), ['viewing', 'viewing']);
    assert.deepEqual(b.people('other', T1, 3000), []);
    // Marie's first tab stops repeating itself: gone after the time to live, Amine still there.
    b.apply(note('q:1', 'u2', 'Amine', 'viewing'), PRESENCE_TTL_MS);
    const later = 1000 + PRESENCE_TTL_MS + 1;
    assert.deepEqual(b.people('ws', T1, later).map((p) => p.name), ['Amine'], 'an expired entry is never shown, even before the sweep');
    assert.deepEqual(b.expire(later), [{ workspaceId: 'ws', ticketId: T1 }]);
    assert.deepEqual(b.expire(later + 1), []);
  });

  it('accepts only well-formed presence messages', () => {
    assert.deepEqual(parsePresenceMessage(JSON.stringify({ type: 'presence', ticketId: T1.toUpperCase(), state: 'replying' })), { ticketId: T1, state: 'replying' });
    assert.deepEqual(parsePresenceMessage(JSON.stringify({ type: 'presence', ticketId: T1, state: 'left' })), { ticketId: T1, state: null });
    for (const bad of ['nope', '{}', JSON.stringify({ type: 'presence', ticketId: 'x', state: 'viewing' }), JSON.stringify({ type: 'presence', ticketId: T1, state: 'typing' }), 'null']) {
      assert.equal(parsePresenceMessage(bad), null, bad);
    }
  });
});

/** A live connection with the messages it received, and a way to wait for one. */
class Live {
  readonly got: any[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.got.push(JSON.parse(d.toString()));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** Staff connect with their API token; a customer's `token` from the harness is a session cookie. */
  static async open(base: string, token: string): Promise<Live> {
    const headers = token.includes('=') ? { cookie: token } : { authorization: `Bearer ${token}` };
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, { headers });
    const live = new Live(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`refused: ${res.statusCode}`)));
    });
    await live.next((m) => m.type === 'hello');
    return live;
  }
  say(ticketId: string, state: string) {
    this.ws.send(JSON.stringify({ type: 'presence', ticketId, state }));
  }
  /** The first message (already received or to come) that `match` accepts. */
  async next(match: (m: any) => boolean, timeoutMs = 20_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.got.findIndex(match);
      if (i >= 0) return this.got.splice(0, i + 1).at(-1);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such message; got ${JSON.stringify(this.got)}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(timer), r()));
      });
    }
  }
  close() {
    this.ws.close();
  }
}

const people = (ticketId: string, expect: string) => (m: any) =>
  m.type === 'presence' && m.ticketId === ticketId && m.people.map((p: any) => `${p.name}:${p.state}`).join(',') === expect;

for (const kind of testDbKinds()) {
  describe(`collision warning on ${kind}`, () => {
    // On PostgreSQL, two apps on one database stand for two Guichet processes.
    const apps: { t: TestApp; hub: RealtimeHub; base: string }[] = [];
    const owned: Database[] = [];
    let drop: (() => Promise<void>) | null = null;

    before(async () => {
      const dbs: (Database | undefined)[] = [undefined];
      if (kind === 'postgres') {
        const pg = await createPgDatabase('guichet_presence');
        drop = pg.drop;
        for (let i = 0; i < 2; i++) owned.push(await openDatabase({ url: pg.url, poolSize: 3 }));
        dbs.splice(0, 1, ...owned);
      }
      for (const database of dbs) {
        const t = await startTestApp(kind, database ? { database } : {});
        await t.app.listen({ port: 0, host: '127.0.0.1' });
        const hub = await startRealtime({ app: t.app, deps: t.deps, database: t.database });
        apps.push({ t, hub, base: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` });
      }
    });
    after(async () => {
      for (const a of apps) {
        await a.hub.close();
        await a.t.close();
      }
      for (const d of owned) await d.close();
      await drop?.();
    });

    const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };

    it('tells the others who views and who replies, until they leave or close', async () => {
      const ws = await newWorkspace(apps[0]!.t);
      const marie = await ws.as('agent');
      await ok(ws.admin.req('PATCH', `/users/${marie.id}`, { name: 'Marie Dupont' }));
      const amine: Caller = await ws.as('light_agent');
      const tk = await ok(ws.admin.req('POST', '/tickets', { subject: 'Card declined', body: 'Hello', requester: { email: 'c@example.test' } }), 201);
      const other = await ok(ws.admin.req('POST', '/tickets', { subject: 'Other', body: 'Hello', requester: { email: 'c@example.test' } }), 201);
      const far = apps.at(-1)!.base; // the other process on PostgreSQL

      const a = await Live.open(apps[0]!.base, marie.token);
      const b = await Live.open(far, amine.token);
      b.say(tk.id, 'viewing');
      // Amine hears the ticket's people at once (nobody else yet), then himself.
      await b.next((m) => m.type === 'presence' && m.ticketId === tk.id && m.people.length === 0);
      await b.next(people(tk.id, `${'light_agent 2'}:viewing`));

      a.say(tk.id, 'viewing');
      await a.next(people(tk.id, 'light_agent 2:viewing'));
      await b.next(people(tk.id, 'light_agent 2:viewing,Marie Dupont:viewing'));
      a.say(tk.id, 'replying');
      await b.next(people(tk.id, 'light_agent 2:viewing,Marie Dupont:replying'));
      // Another ticket is another list; nonsense is ignored and changes nothing.
      a.say(other.id, 'viewing');
      await b.next(people(other.id, 'Marie Dupont:viewing'));
      a.ws.send('{"type":"presence","ticketId":"../etc","state":"viewing"}');
      a.ws.send('not json');
      a.say(tk.id, 'left');
      await b.next(people(tk.id, 'light_agent 2:viewing'));
      a.close();
      await b.next(people(other.id, ''));
      b.close();
    });

    it('keeps workspaces apart and refuses customers', async () => {
      const one = await newWorkspace(apps[0]!.t);
      const two = await newWorkspace(apps[0]!.t);
      const tk = await ok(one.admin.req('POST', '/tickets', { subject: 'Secret', body: 'Hello', requester: { email: 'c@example.test' } }), 201);
      const spy = await Live.open(apps.at(-1)!.base, two.admin.token);
      const a = await Live.open(apps[0]!.base, one.admin.token);
      a.say(tk.id, 'replying');
      await a.next(people(tk.id, 'Ada Admin:replying'));
      // The spy says it is on the same ticket id: it hears only its own workspace's people (itself).
      spy.say(tk.id, 'viewing');
      await spy.next(people(tk.id, 'Ada Admin:viewing'));
      assert.ok(!spy.got.some((m) => m.type === 'presence' && m.people.some((p: any) => p.state === 'replying')), JSON.stringify(spy.got));
      a.close();
      spy.close();
      const customer = await one.as('customer');
      await assert.rejects(Live.open(apps[0]!.base, customer.token), /refused: 403/);
    });
  });
}
