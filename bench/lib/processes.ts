/** Child processes for benchmarks (servers under test), and where the CPU went while measuring. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';

export interface Child {
  process: ChildProcess;
  pid: number;
  /** What the ready pattern captured (for example the URL the server printed). */
  match: RegExpExecArray;
  /** Everything it printed so far (for error messages). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start `node --import tsx <file>` and wait until its output matches `ready`. Fails with the
 * child's output when it exits first or takes longer than `timeoutMs`.
 */
export function startNode(
  file: string,
  opts: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number; nodeArgs?: string[] },
): Promise<Child> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<Child>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void stop(1000);
      reject(new Error(`${file} did not start within ${opts.timeoutMs ?? 60_000} ms. Output:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    const onOutput = (chunk: Buffer) => {
      // Keep only the start and the tail: a server that logs a lot must not fill the memory.
      out = out.length < 20_000 ? out + chunk.toString() : out.slice(0, 10_000) + out.slice(-9_000) + chunk.toString();
      if (done) return;
      const m = opts.ready.exec(out);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ process: child, pid: child.pid!, match: m, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('exit', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${file} exited (${signal ?? code}) before it was ready. Output:\n${out}`));
    });
  });
}

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); null elsewhere or when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: the fields after it start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) of a process and all its descendants that are alive (a server run
 * as several processes with GUICHET_PROCESSES forks its workers). Null when `pid` is gone.
 */
export function processTreeCpuSeconds(pid: number): number | null {
  const own = processCpuSeconds(pid);
  if (own === null) return null;
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(entry));
        children.set(ppid, list);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return own;
  }
  let total = own;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    total += processCpuSeconds(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU seconds used so far by every process whose name is `name` (for example all PostgreSQL processes). */
export function cpuSecondsByName(name: string): number | null {
  let total = 0;
  let found = false;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      } catch {
        continue;
      }
      const s = processCpuSeconds(Number(entry));
      if (s !== null) {
        total += s;
        found = true;
      }
    }
  } catch {
    return null;
  }
  return found ? total : null;
}

/**
 * The PostgreSQL processes that work for the database at `url`: its client backends (the server's
 * pool, open once warmed up) and PostgreSQL's own background processes (WAL writer, checkpointer…),
 * leaving out the backends of other databases on a shared server.
 */
export async function postgresPidsFor(url: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (datname = current_database() OR backend_type <> 'client backend')`,
    );
    return r.rows.map((x) => Number(x.pid));
  } finally {
    await c.end();
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / ticksPerSecond(), total: total / ticksPerSecond() };
  } catch {
    return null;
  }
}

export interface CpuSample {
  at: number;
  client: number;
  server: number | null;
  postgres: number | null;
  machine: { busy: number; total: number } | null;
}

/**
 * Where the CPU goes: this process (the client), the server child (with its own children),
 * PostgreSQL (every process of that name, or only `withPostgres` when it lists pids), the whole machine.
 */
export function sampleCpu(serverPid: number, withPostgres: boolean | number[]): CpuSample {
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    client: (u.user + u.system) / 1e6,
    server: processTreeCpuSeconds(serverPid),
    postgres: Array.isArray(withPostgres) ? withPostgres.reduce((s, pid) => s + (processCpuSeconds(pid) ?? 0), 0) : withPostgres ? cpuSecondsByName('postgres') : null,
    machine: machineCpuSeconds(),
  };
}

/** Percent of one core used by each between two samples (200% = both cores of a 2-core machine). */
export function cpuPercent(a: CpuSample, b: CpuSample) {
  const secs = (b.at - a.at) / 1000;
  const pct = (x: number | null, y: number | null) => (x === null || y === null ? null : (100 * (y - x)) / secs);
  return {
    client: pct(a.client, b.client),
    server: pct(a.server, b.server),
    postgres: pct(a.postgres, b.postgres),
    machineBusy: a.machine && b.machine ? (100 * (b.machine.busy - a.machine.busy)) / secs : null,
  };
}

/** The environment of a child: ours, without any Guichet setting that would change what is measured. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GUICHET_') && k !== 'DATABASE_URL' && k !== 'PORT' && k !== 'HOST') env[k] = v;
  return { ...env, ...extra };
}

/**
 * What a benchmark must undo (servers to stop, databases to drop, folders to remove): `defer`
 * adds a step, `run` takes them last first. SIGINT and SIGTERM run them before exiting, once.
 */
export function cleanupStack(onSignal: string): { defer(step: () => Promise<void>): void; run(): Promise<void> } {
  const steps: Array<() => Promise<void>> = [];
  const run = async () => {
    while (steps.length) {
      try {
        await steps.pop()!();
      } catch (e) {
        console.error(`cleanup: ${(e as Error).message}`);
      }
    }
  };
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${sig}: ${onSignal}…`);
      void run().finally(() => process.exit(130));
    });
  }
  return { defer: (step) => void steps.push(step), run };
}
