// A function's sandboxes: each a worker thread running the bootstrap, one invocation at a time, as
// a Lambda execution environment does. More sandboxes start while all are busy (up to the
// function's concurrency); a sandbox that timed out or crashed is thrown away and the next
// invocation gets a fresh one (a cold start), as in Lambda. An update (new code or configuration)
// applies to the invocations that start after it: idle sandboxes of the old version stop at once,
// busy ones once their invocation ends, as Lambda retires the environments of an older version.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { FunctionErrorPayload, InvokeResult, LocalFunction } from '../functions.js';

const BOOTSTRAP = new URL('./bootstrap.mjs', import.meta.url);
/** Lambda's limit on the init phase. */
const INIT_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 1000;

export interface WorkerFunctionOptions {
  name: string;
  arn: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The instruction set it would run on in AWS (Architectures; Lambda bills arm64 less per GB-second). */
  architecture?: 'arm64' | 'x86_64';
  /** The function's whole environment: nothing of the host's leaks in. */
  environment: Record<string, string>;
  bundleFile: string;
  exportName: string;
  /** Receives every line the function prints, prefixed with its name. */
  log: (line: string) => void;
  /** Sandboxes at once (Lambda's concurrency); further invocations wait for one. Default 10. */
  maxConcurrency?: number;
  /** An idle sandbox beyond the first stops after this long. Default 60 s. */
  idleMs?: number;
}

export interface FunctionStats {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  sandboxes: number;
  /** Time in the handler (init of a cold start apart), summed over invocations: what Lambda bills. */
  durationMs: number;
  /** The same rounded up to the millisecond per invocation, as Lambda bills it. */
  billedMs: number;
}

/** One invocation as the console lists it (GET /_presso/functions). */
export interface InvocationRecord {
  requestId: string;
  startedAt: string;
  durationMs: number;
  /** Its sandbox started for it (a cold start). */
  cold: boolean;
  outcome: 'success' | 'error' | 'timeout';
  errorType?: string;
  errorMessage?: string;
}

/** Invocations remembered per function. */
const INVOCATIONS_KEPT = 100;

export interface WorkerFunction extends LocalFunction {
  readonly memoryMb: number;
  /** The options it runs new invocations with. */
  readonly options: WorkerFunctionOptions;
  /**
   * Runs the invocations that start from now on with these options (UpdateFunctionCode and
   * UpdateFunctionConfiguration; name and ARN stay). Invocations in flight finish on the old code.
   */
  update(options: WorkerFunctionOptions): void;
  /** Starts a sandbox now (the cold start) and returns its init error, if any. */
  warm(): Promise<FunctionErrorPayload | undefined>;
  /** Lines the function printed most recently. */
  logs(): string[];
  /** Its most recent invocations, oldest first. */
  invocations(): InvocationRecord[];
  stats(): FunctionStats;
  /** Stops idle sandboxes now and busy ones once their invocation ends. */
  dispose(): void;
}

type Pending = (result: InvokeResult) => void;

class Sandbox {
  readonly worker: Worker;
  /** The version of the function's options it runs. */
  readonly version: number;
  readonly ready: Promise<FunctionErrorPayload | undefined>;
  dead = false;
  idleTimer: NodeJS.Timeout | undefined;
  private pending: { id: string; resolve: Pending; timer: NodeJS.Timeout } | undefined;

  constructor(
    readonly options: WorkerFunctionOptions,
    version: number,
    onLine: (line: string) => void,
  ) {
    this.version = version;
    const requestPrefix = randomUUID().replace(/-/g, '');
    this.worker = new Worker(BOOTSTRAP, {
      workerData: {
        bundleFile: options.bundleFile,
        exportName: options.exportName,
        fn: {
          name: options.name,
          arn: options.arn,
          memoryMb: options.memoryMb,
          logStreamName: `local/[$LATEST]${requestPrefix}`,
        },
      },
      env: options.environment,
      stdout: true,
      stderr: true,
      execArgv: ['--enable-source-maps'],
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, options.memoryMb) },
    });
    for (const stream of [this.worker.stdout, this.worker.stderr])
      createInterface({ input: stream }).on('line', onLine);
    this.ready = new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve({
          errorType: 'Runtime.InitTimeout',
          errorMessage: `Init timed out after ${INIT_TIMEOUT_MS / 1000} seconds`,
        });
        this.terminate();
      }, INIT_TIMEOUT_MS);
      this.worker.once('message', (m: { type: string; error?: FunctionErrorPayload }) => {
        clearTimeout(timer);
        resolve(m.type === 'ready' ? undefined : m.error);
      });
      this.worker.once('error', (e) => {
        clearTimeout(timer);
        resolve(crashPayload(e));
      });
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited during init' });
      });
    });
    this.worker.on(
      'message',
      (m: { type: string; id?: string; ok?: boolean; payload?: string; error?: FunctionErrorPayload }) => {
        if (m.type !== 'result' || !this.pending || m.id !== this.pending.id) return;
        this.settle(
          m.ok ? { ok: true, payload: JSON.parse(m.payload ?? 'null') as unknown } : { ok: false, error: m.error! },
        );
      },
    );
    this.worker.on('error', (e) => {
      this.dead = true;
      this.settle({ ok: false, error: crashPayload(e) });
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      this.settle({
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: exit status ${code}` },
      });
    });
  }

  invoke(event: unknown, requestId: string): Promise<InvokeResult> {
    const timeoutSeconds = this.options.timeoutSeconds;
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops the environment at the timeout; the next invocation starts a new one.
        this.settle({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          },
        });
        this.terminate();
      }, timeoutSeconds * 1000);
      this.pending = { id: requestId, resolve, timer };
      let text: string;
      try {
        text = JSON.stringify(event ?? null);
      } catch (e) {
        return this.settle({
          ok: false,
          error: { errorType: 'InvalidRequestContentException', errorMessage: (e as Error).message },
        });
      }
      this.worker.postMessage({ type: 'invoke', id: requestId, event: text, requestId, deadline });
    });
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }

  private settle(result: InvokeResult): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }
}

function crashPayload(e: Error & { code?: string }): FunctionErrorPayload {
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
    return { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited: the function ran out of memory' };
  return { errorType: 'Runtime.ExitError', errorMessage: `${e.name}: ${e.message}`, trace: e.stack?.split('\n') ?? [] };
}

export function workerFunction(initial: WorkerFunctionOptions): WorkerFunction {
  let options = initial;
  let version = 0;
  const all = new Set<Sandbox>();
  const idle: Sandbox[] = [];
  const waiting: Array<() => void> = [];
  const recent: string[] = [];
  const invocations: InvocationRecord[] = [];
  /** Sandboxes that ran an invocation already: the next one on them is warm. */
  const used = new WeakSet<Sandbox>();
  const stats: FunctionStats = {
    invocations: 0,
    coldStarts: 0,
    errors: 0,
    timeouts: 0,
    sandboxes: 0,
    durationMs: 0,
    billedMs: 0,
  };
  let disposed = false;

  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > LOG_LINES_KEPT) recent.shift();
    options.log(`[${options.name}] ${line}`);
  };

  const spawn = (): Sandbox => {
    const sandbox = new Sandbox(options, version, onLine);
    all.add(sandbox);
    stats.coldStarts++;
    sandbox.worker.once('exit', () => all.delete(sandbox));
    return sandbox;
  };

  async function acquire(): Promise<Sandbox | undefined> {
    for (;;) {
      if (disposed) return undefined;
      const sandbox = idle.pop();
      if (sandbox && !sandbox.dead && sandbox.version === version) {
        clearTimeout(sandbox.idleTimer);
        return sandbox;
      }
      if (sandbox) {
        retire(sandbox);
        continue;
      }
      if (all.size < (options.maxConcurrency ?? 10)) return spawn();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  function retire(sandbox: Sandbox): void {
    clearTimeout(sandbox.idleTimer);
    sandbox.terminate();
    all.delete(sandbox);
  }

  function release(sandbox: Sandbox): void {
    if (sandbox.dead || disposed || sandbox.version !== version) {
      retire(sandbox);
    } else {
      idle.push(sandbox);
      // Keep one sandbox warm; stop the others once idle for a while.
      if (idle.length > 1) {
        sandbox.idleTimer = setTimeout(() => {
          const i = idle.indexOf(sandbox);
          if (i >= 0 && idle.length > 1) {
            idle.splice(i, 1);
            sandbox.terminate();
            all.delete(sandbox);
          }
        }, options.idleMs ?? 60_000);
        sandbox.idleTimer.unref();
      }
    }
    waiting.shift()?.();
  }

  return {
    name: initial.name,
    arn: initial.arn,
    get timeoutSeconds() {
      return options.timeoutSeconds;
    },
    get memoryMb() {
      return options.memoryMb;
    },
    get options() {
      return options;
    },
    update(next: WorkerFunctionOptions) {
      if (next.name !== initial.name || next.arn !== initial.arn)
        throw new Error(`${initial.name}: an update keeps the function's name and ARN`);
      options = next;
      version++;
      for (const sandbox of idle.splice(0)) retire(sandbox);
      // Invocations waiting for a sandbox may get one of the new version now (the limit may have grown).
      for (const resolve of waiting.splice(0)) resolve();
    },
    async invoke(event, requestId = randomUUID()) {
      const sandbox = await acquire();
      if (!sandbox)
        return {
          ok: false,
          error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${initial.arn}` },
        };
      stats.invocations++;
      const cold = !used.has(sandbox);
      used.add(sandbox);
      const started = Date.now();
      const initError = await sandbox.ready;
      let result: InvokeResult;
      if (initError) {
        sandbox.terminate();
        result = { ok: false, error: initError };
      } else {
        const started = performance.now();
        result = await sandbox.invoke(event, requestId);
        const duration = performance.now() - started;
        stats.durationMs += duration;
        stats.billedMs += Math.max(1, Math.ceil(duration));
      }
      if (!result.ok) {
        stats.errors++;
        if (result.error.errorType === 'Sandbox.Timedout') stats.timeouts++;
      }
      invocations.push({
        requestId,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        cold,
        outcome: result.ok ? 'success' : result.error.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error',
        ...(result.ok ? {} : { errorType: result.error.errorType, errorMessage: result.error.errorMessage }),
      });
      if (invocations.length > INVOCATIONS_KEPT) invocations.shift();
      release(sandbox);
      return result;
    },
    async warm() {
      const sandbox = await acquire();
      if (!sandbox)
        return { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${initial.arn}` };
      const initError = await sandbox.ready;
      if (initError) sandbox.terminate();
      release(sandbox);
      return initError;
    },
    logs: () => [...recent],
    invocations: () => [...invocations],
    stats: () => ({ ...stats, sandboxes: all.size }),
    dispose() {
      disposed = true;
      for (const sandbox of idle.splice(0)) retire(sandbox);
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}
