/** The coalescer on its own (no database): who shares a batch, and what each caller gets back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer } from '../src/coalesce.ts';

function recorder(opts: { failMany?: (inputs: number[]) => boolean; failOne?: (n: number) => boolean; maxInFlight?: number; maxBatch?: number } = {}) {
  const calls: Array<{ kind: 'one' | 'many'; inputs: number[] }> = [];
  let running = 0;
  let maxRunning = 0;
  const track = async <T>(f: () => T): Promise<T> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return f();
  };
  const c = new Coalescer<number, string>({
    maxBatch: opts.maxBatch ?? 10,
    maxInFlight: opts.maxInFlight ?? 1,
    one: (n) => {
      calls.push({ kind: 'one', inputs: [n] });
      return track(() => {
        if (opts.failOne?.(n)) throw new Error(`bad ${n}`);
        return `r${n}`;
      });
    },
    many: (inputs) => {
      calls.push({ kind: 'many', inputs });
      return track(() => {
        if (opts.failMany?.(inputs)) throw new Error('batch failed');
        return inputs.map((n) => `r${n}`);
      });
    },
  });
  return { c, calls, maxRunning: () => maxRunning };
}

describe('Coalescer', () => {
  it('a call alone runs alone, at once, with the single statement', async () => {
    const { c, calls } = recorder();
    assert.equal(await c.run(1), 'r1');
    assert.equal(await c.run(2), 'r2');
    assert.deepEqual(calls, [{ kind: 'one', inputs: [1] }, { kind: 'one', inputs: [2] }]);
  });

  it('calls made together share one batch, in call order, and each gets its own result', async () => {
    const { c, calls } = recorder();
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map((n) => c.run(n))), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(calls, [{ kind: 'many', inputs: [1, 2, 3, 4] }]);
  });

  it('while maxInFlight batches run, later calls wait and then go together, in batches of at most maxBatch', async () => {
    const { c, calls, maxRunning } = recorder({ maxInFlight: 1, maxBatch: 3 });
    const first = c.run(0);
    await new Promise((r) => setImmediate(r)); // 0 is under way alone
    const rest = [1, 2, 3, 4, 5].map((n) => c.run(n));
    assert.deepEqual(await Promise.all([first, ...rest]), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    assert.deepEqual(calls, [
      { kind: 'one', inputs: [0] },
      { kind: 'many', inputs: [1, 2, 3] },
      { kind: 'many', inputs: [4, 5] },
    ]);
    assert.equal(maxRunning(), 1, 'never more than maxInFlight at a time');
  });

  it('a failed batch is run again call by call: the bad call gets its error, the others their results', async () => {
    const { c, calls } = recorder({ failMany: () => true, failOne: (n) => n === 2, maxInFlight: 2 });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => c.run(n)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      ['r1', 'bad 2', 'r3'],
    );
    assert.deepEqual(calls.map((x) => x.kind), ['many', 'one', 'one', 'one']);
  });
});
