// `presso up --data-dir` killed with SIGKILL at a chosen point (PRESSO_TEST_KILL_AFTER makes the
// process kill itself right after a chosen write to its Step Functions journal: no sleep decides
// when) and started again on the same data directory: the core's order goes on where it was.
// - The workflow waits for the drink (its task token written, its event put), the process dies;
//   started again, the customer's drink PUT answers the same token, and the order is numbered,
//   made and completed.
// - The same order whose 5-minute heartbeat ran out while the cloud was down (started again at
//   --speed 1000, the downtime is hours of machine time): timed out at start, with the customer
//   as the cause, its place given back.
// - A record cut in half by the crash: skipped with a warning; the task it would have recorded
//   counts as running when the cloud died (States.TaskFailed), and the order is cancelled.
// @level integration: real processes (presso up with the core, twice per test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { until } from '@serverlesspresso/testing/until';
import { startUp, type RunningUp } from './up.js';

const CORE_DIR = new URL('../../../core', import.meta.url).pathname;
const SLOW = 180_000;
const dirs: string[] = [];
const running: RunningUp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((up) => up.stop()));
});
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `presso up` with the core only, on `dataDir`; `killAfter` arms the crash hook. */
async function up(dataDir: string, options: { killAfter?: string; speed?: number } = {}): Promise<RunningUp> {
  const started = await startUp(
    ['--data-dir', dataDir, '--port', '0', '--speed', String(options.speed ?? 1), '--no-web-apps', CORE_DIR],
    { env: { ...process.env, ...(options.killAfter ? { PRESSO_TEST_KILL_AFTER: options.killAfter } : {}) } },
  );
  running.push(started);
  return started;
}

/** The exit of a process that kills itself: its signal. */
const death = (up: RunningUp) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (up.process.exitCode !== null || up.process.signalCode !== null) resolve(up.process.signalCode);
    else up.process.once('exit', (_code, signal) => resolve(signal));
  });

/** The core's API on a running `presso up`, with tokens from its issuer. */
function coreApi(up: RunningUp) {
  const api = /^ {4}ApiUrl = (\S+)$/m.exec(up.output())?.[1];
  if (!api) throw new Error(`no ApiUrl in:\n${up.output()}`);
  const tokens = new Map<string, string>();
  const token = async (user: string, groups: string[]) => {
    const key = `${user}:${groups.join(',')}`;
    if (!tokens.has(key)) {
      const response = await fetch(`${up.endpoint}/_presso/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, groups }),
      });
      tokens.set(key, ((await response.json()) as { token: string }).token);
    }
    return tokens.get(key)!;
  };
  return async (method: string, path: string, user: [string, string[]], body?: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(...user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
}

const ADMIN: [string, string[]] = ['ada', ['admin']];
const BARISTA: [string, string[]] = ['bart', ['NYC.barista']];
const KIM: [string, string[]] = ['kim', []];

/** A customer scans the code; the process dies once the workflow waits for her drink. The order's id. */
async function orderThenCrash(dataDir: string, killAfter: string): Promise<string> {
  const first = await up(dataDir, { killAfter });
  const call = coreApi(first);
  const qr = await call('GET', '/events/NYC/qr-code', ADMIN);
  expect(qr.status).toBe(200);
  const scanned = await call('POST', '/events/NYC/orders', KIM, { code: qr.body.code });
  expect(scanned.status).toBe(201);
  expect(await death(first)).toBe('SIGKILL');
  return String(scanned.body.orderId);
}

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-crash-'));
  dirs.push(dir);
  return dir;
};

describe('presso up killed with SIGKILL and started again on the same data directory', () => {
  it(
    'goes on with the order: the drink answers the token from before the crash; numbered, made, completed',
    async () => {
      const dir = dataDir();
      const orderId = await orderThenCrash(dir, 'states:TaskSubmitted');

      const second = await up(dir);
      expect(second.output()).toMatch(/^resumed {5}1 Step Functions execution\b/m);
      const call = coreApi(second);
      // The event that carried the token to the order manager was put, not delivered, before the
      // crash: it is delivered again after the restart, and until then the order is not ready (409).
      const drink = await until(`the drink of ${orderId} accepted`, async () => {
        const r = await call('PUT', `/orders/${orderId}/drink`, KIM, { drink: 'Flat White', modifiers: ['Oat'] });
        return r.status === 409 && r.body.error === 'ORDER_NOT_READY' ? undefined : r;
      });
      expect(drink).toMatchObject({ status: 200 });
      const numbered = await until(`order ${orderId} numbered`, async () => {
        const order = await call('GET', `/orders/${orderId}`, KIM);
        return order.body.orderNumber === undefined ? undefined : order.body;
      });
      expect(String(numbered.orderNumber)).toMatch(/^\d+$/);
      await until(`order ${orderId} in the barista queue`, async () => {
        const queue = await call('GET', '/events/NYC/queue', BARISTA);
        return (
          (queue.body.orders as Array<{ orderId: string }> | undefined)?.some((o) => o.orderId === orderId) || undefined
        );
      });
      expect((await call('POST', `/orders/${orderId}/make`, BARISTA)).status).toBe(200);
      expect((await call('POST', `/orders/${orderId}/complete`, BARISTA)).status).toBe(200);
      const completed = await until(`order ${orderId} completed`, async () => {
        const order = await call('GET', `/orders/${orderId}`, KIM);
        return order.body.status === 'COMPLETED' ? order.body : undefined;
      });
      expect(completed).toMatchObject({ drinkOrder: expect.objectContaining({ drink: 'Flat White' }) });
    },
    SLOW,
  );

  it(
    'times the order out at start when its heartbeat ran out while the cloud was down, with the customer as the cause',
    async () => {
      const dir = dataDir();
      const orderId = await orderThenCrash(dir, 'states:TaskSubmitted');
      // At --speed 1000 the seconds the cloud was down are more than the 300 s of the heartbeat.
      const second = await up(dir, { speed: 1000 });
      const call = coreApi(second);
      const cancelled = await until(`order ${orderId} timed out`, async () => {
        const order = await call('GET', `/orders/${orderId}`, KIM);
        return order.body.status === 'CANCELLED' ? order.body : undefined;
      });
      expect(cancelled).toMatchObject({ reason: 'timeout', timeoutCause: 'customer' });
      const late = await call('PUT', `/orders/${orderId}/drink`, KIM, { drink: 'Espresso' });
      expect(late.body.error).toBe('ALREADY_CANCELLED');
    },
    SLOW,
  );

  it(
    'skips a journal record the crash cut in half, with a warning, and fails the task it would have recorded',
    async () => {
      const dir = dataDir();
      const orderId = await orderThenCrash(dir, 'states:TaskSubmitted:torn');
      const second = await up(dir);
      expect(second.output()).toMatch(/\[states\] \S+\.jsonl: a half-written record at byte \d+ .* was skipped/);
      // The TaskSubmitted it would have recorded is gone: the task counts as running when the cloud died.
      const sfn = new SFNClient({
        endpoint: second.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      try {
        const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
        const processor = stateMachines!.find((m) => /OrderProcessor/.test(m.name!))!;
        const { executions } = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: processor.stateMachineArn }),
        );
        const failed = await until('the resumed task to fail', async () => {
          const { events } = await sfn.send(
            new GetExecutionHistoryCommand({ executionArn: executions![0]!.executionArn }),
          );
          return events!.find((e) => e.type === 'TaskFailed');
        });
        expect(failed.taskFailedEventDetails).toMatchObject({
          error: 'States.TaskFailed',
          cause: 'The local cloud stopped while the task was running: as for a worker that is gone, the task failed.',
        });
      } finally {
        sfn.destroy();
      }
      expect(orderId).toBeTruthy();
    },
    SLOW,
  );
});
