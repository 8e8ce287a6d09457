// What the robot's tests on the local cloud share: SDK clients on the edge, the admin routes, a tap on
// the bus (every accepted event with the moment it arrived), and bounded waits for executions.
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand, type DescribeExecutionCommandOutput, type ExecutionStatus, type SFNClient } from '@aws-sdk/client-sfn';
import type { EventEnvelope } from '@serverlesspresso/catalog';
import type { LocalCloud, StackRecord } from '@serverlesspresso/local';

export const extensionDir = new URL('..', import.meta.url).pathname;
export const clientConfig = (cloud: LocalCloud) => ({ endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

export async function admin<T = Record<string, unknown>>(cloud: LocalCloud, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(new URL(path, cloud.url), init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
  return body as T;
}

/** Deploys an app folder as one stack, as `presso deploy` does. */
export async function deploy(cloud: LocalCloud, path: string, stackName: string, parameterOverrides?: Record<string, string>): Promise<StackRecord> {
  const body = await admin<{ stack: StackRecord }>(cloud, '/_presso/stacks', { method: 'POST', body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }) });
  return body.stack;
}

/** Polls `probe` every 20 ms until it returns a value other than undefined; fails after `timeoutMs`, saying what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Tapped {
  event: EventEnvelope;
  /** When the tap received it (Date.now()): after the bus accepted it. */
  at: number;
}

/** Every event the bus accepts from now on, as the archive's follow stream delivers it. */
export class BusTap {
  readonly events: Tapped[] = [];
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  private constructor(body: ReadableStream<Uint8Array>) {
    this.done = this.read(body);
  }

  static async open(cloud: LocalCloud, bus: string): Promise<BusTap> {
    const controller = new AbortController();
    const res = await fetch(new URL(`/_presso/events?bus=${encodeURIComponent(bus)}&follow=1`, cloud.url), { signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`cannot follow the bus ${bus}: HTTP ${res.status}`);
    const tap = new BusTap(res.body);
    tap.abort.signal.addEventListener('abort', () => controller.abort());
    return tap;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        const at = Date.now();
        buffered += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) this.events.push({ event: JSON.parse(line) as EventEnvelope, at });
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  }

  of(detailType: string): Tapped[] {
    return this.events.filter((t) => t.event['detail-type'] === detailType);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => {});
  }
}

/** Starts an execution and waits until it ends. */
export async function runToEnd(sfn: SFNClient, stateMachineArn: string, input: unknown, timeoutMs = 30_000): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return until(`the execution ${executionArn} to end`, async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, timeoutMs);
}

/** Waits until a state machine has `count` executions and none of them runs; returns them by status. */
export async function settledExecutions(sfn: SFNClient, stateMachineArn: string, count: number, timeoutMs = 30_000): Promise<Map<ExecutionStatus, string[]>> {
  return until(`${count} finished executions of ${stateMachineArn}`, async () => {
    const executions = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken }));
      executions.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (executions.length < count || executions.some((e) => e.status === 'RUNNING')) return undefined;
    const byStatus = new Map<ExecutionStatus, string[]>();
    for (const e of executions) byStatus.set(e.status!, [...(byStatus.get(e.status!) ?? []), e.executionArn!]);
    return byStatus;
  }, timeoutMs);
}
