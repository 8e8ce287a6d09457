// Benchmark of `presso up` for the whole repository (run: npm run bench -w @serverlesspresso/cli).
// Issue 4's target: startup to ready under 10 s, excluding the first build. The real bin is started
// twice with the default apps (core, EventPlayer, every extension) on a free port: the first run
// builds what the build cache lacks, the second is what the target is about. For each run it prints
// the time to the `ready` line (and where it went: DynamoDB Local, each app's deploy), then sends
// Ctrl-C (SIGINT) and prints the time to exit, and checks that the DynamoDB Local JVM it started is
// gone. Every wait is bounded; on any failure the processes it started are killed and it exits 1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

const bin = new URL('../bin/presso.js', import.meta.url).pathname;
const repo = new URL('../../../', import.meta.url).pathname;
/** The first run may build every function of the repo. */
const READY_TIMEOUT_MS = { first: 300_000, warm: 60_000 };
const EXIT_TIMEOUT_MS = 20_000;
const JVM_GONE_TIMEOUT_MS = 5_000;
const TARGET_MS = 10_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Line {
  at: number;
  text: string;
}

interface Run {
  readyMs: number;
  exitMs: number;
  jvms: number[];
  lines: Line[];
}

/** Processes below `root` (its children, theirs...), with their command names. */
function descendants(root: number): Array<{ pid: number; command: string }> {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[3]!.trim() }));
  const found: Array<{ pid: number; command: string }> = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table.filter((t) => t.ppid === parent)) {
      found.push({ pid: p.pid, command: p.command });
      queue.push(p.pid);
    }
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits (bounded) for a condition; false if it did not come true in time. */
async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function run(label: keyof typeof READY_TIMEOUT_MS): Promise<Run> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [bin, 'up', '--port', '0'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let pending = '';
  const onData = (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const text of parts) lines.push({ at: performance.now() - started, text });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let jvms: number[] = [];
  try {
    const ready = await Promise.race([
      until(() => lines.some((l) => l.text.startsWith('ready')), READY_TIMEOUT_MS[label]).then((ok) =>
        ok ? 'ready' : 'timeout',
      ),
      exited.then(() => 'exited'),
    ]);
    if (ready !== 'ready')
      throw new Error(
        `presso up (${label}) ${ready === 'exited' ? 'exited' : `was not ready within ${seconds(READY_TIMEOUT_MS[label])}`} before its ready line`,
      );
    const readyMs = lines.find((l) => l.text.startsWith('ready'))!.at;
    jvms = descendants(child.pid!)
      .filter((p) => /java/.test(p.command))
      .map((p) => p.pid);
    if (jvms.length === 0) throw new Error('no DynamoDB Local JVM found below presso up');
    const stopping = performance.now();
    child.kill('SIGINT');
    if (
      !(await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), EXIT_TIMEOUT_MS)),
      ]))
    ) {
      throw new Error(`presso up did not exit within ${seconds(EXIT_TIMEOUT_MS)} of Ctrl-C`);
    }
    const exitMs = performance.now() - stopping;
    if (!(await until(() => jvms.every((pid) => !alive(pid)), JVM_GONE_TIMEOUT_MS))) {
      throw new Error(`the DynamoDB Local JVM (pid ${jvms.filter(alive).join(', ')}) outlived presso up`);
    }
    return { readyMs, exitMs, jvms, lines };
  } catch (e) {
    child.kill('SIGKILL');
    for (const pid of jvms) if (alive(pid)) process.kill(pid, 'SIGKILL');
    console.error(
      lines
        .slice(-40)
        .map((l) => l.text)
        .join('\n'),
    );
    throw e;
  }
}

/** Where the time to ready went: DynamoDB Local's start, then each app's deploy. */
function phases(r: Run): string {
  const at = (prefix: string) => r.lines.find((l) => l.text.startsWith(prefix))?.at;
  const out: string[] = [];
  const edge = at('edge');
  if (edge !== undefined) out.push(`edge listening at ${seconds(edge)} (Node, tsx, the local cloud's start)`);
  const dynamodb = at('dynamodb');
  if (dynamodb !== undefined) out.push(`DynamoDB Local ready at ${seconds(dynamodb)}`);
  const deploys = r.lines.filter((l) => /^deploying\s+\[\d+\/\d+\]/.test(l.text));
  const ready = at('ready')!;
  deploys.forEach((d, i) => {
    const end = deploys[i + 1]?.at ?? at('watching') ?? ready;
    out.push(`${d.text.replace(/^deploying\s+/, '').replace(repo, '')}: ${seconds(end - d.at)}`);
  });
  return out.map((l) => `    ${l}`).join('\n');
}

async function main(): Promise<void> {
  // The figures depend on what else the machine runs: say how busy it was.
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const first = await run('first');
  const apps = first.lines.filter((l) => /^deploying\s+\[/.test(l.text)).length;
  console.log(
    `presso up, whole repo (${apps} apps), first run (builds what the cache lacks): ready in ${seconds(first.readyMs)}, exit after Ctrl-C in ${seconds(first.exitMs)}`,
  );
  const warm = await run('warm');
  console.log(
    `presso up, whole repo, warm build cache: ready in ${seconds(warm.readyMs)} (target: under ${seconds(TARGET_MS)}: ${warm.readyMs < TARGET_MS ? 'met' : 'NOT met'})`,
  );
  console.log(phases(warm));
  console.log(
    `  Ctrl-C (SIGINT) to exit: ${seconds(warm.exitMs)}; DynamoDB Local JVM (pid ${warm.jvms.join(', ')}) gone: yes`,
  );
}

main().catch((e: unknown) => {
  console.error(`up.bench: ${(e as Error).message}`);
  process.exit(1);
});
