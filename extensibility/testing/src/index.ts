// What an extension's tests use: the local cloud on an ephemeral port and a time scale, stacks deployed
// through the same route as `presso deploy`, tokens as `presso token` mints them, the bus's archive as
// `presso events` reads it, rule counters as `presso stats` shows them, and EventPlayer replays
// started with the SDK. Every wait is a bounded poll.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS_NAME, type EventEnvelope } from '@serverlesspresso/catalog';
import { findRepoRoot } from '@serverlesspresso/catalog/bus';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { until } from './until.js';

export { until, type UntilOptions } from './until.js';

const root = findRepoRoot(fileURLToPath(new URL('.', import.meta.url)));
if (!root)
  throw new Error(
    '@serverlesspresso/testing is not inside the Serverlesspresso repository (no package.json with workspaces and core/ above it)',
  );

/**
 * The repo's apps a test deploys beside its extension, found from this package (which lives in the
 * repo) instead of by `../` from the test file: an extension copied from the model sits one folder
 * deeper than the model, and its tests must find the same apps.
 */
export const repo = {
  root,
  core: join(root, 'core'),
  player: join(root, 'extensibility', 'EventPlayer'),
} as const;

export interface Local {
  cloud: LocalCloud;
  /** SDK clients pointed at the cloud. */
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  eb: EventBridgeClient;
  admin(path: string, init?: RequestInit): Promise<Record<string, unknown>>;
  deploy(path: string, stackName: string, parameterOverrides?: Record<string, string>): Promise<StackRecord>;
  deleteStack(stackName: string): Promise<void>;
  stackNames(): Promise<string[]>;
  /** A token as `presso token` mints it (user, groups, userPool or audience). */
  token(request: { user: string; groups?: string[]; userPool?: string; audience?: string }): Promise<string>;
  /** The bus's archived events that match a pattern. */
  archived<D = Record<string, unknown>>(pattern: unknown): Promise<EventEnvelope<D>[]>;
  /** The ARN of the stack's one rule on the bus. */
  ruleOf(stack: StackRecord): Promise<string>;
  /** Waits until the rule has delivered `count` events, each a success (a failed delivery fails at once). */
  delivered(ruleArn: string, count: number, ms?: number): Promise<void>;
  /** Starts an EventPlayer replay and waits for its success; its execution ARN marks its events (`resources`). */
  replay(player: StackRecord, input: { speed: number; eventId: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startLocal(speed: number): Promise<Local> {
  const cloud = await startLocalCloud({ port: 0, speed, log: () => {} });
  const client = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const eb = new EventBridgeClient(client);
  const sfn = new SFNClient(client);

  async function admin(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
    const res = await fetch(new URL(path, cloud.url), init);
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
    return body;
  }

  return {
    cloud,
    client,
    eb,
    admin,
    deploy: async (path, stackName, parameterOverrides) =>
      (
        await admin('/_presso/stacks', {
          method: 'POST',
          body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }),
        })
      ).stack as StackRecord,
    deleteStack: async (stackName) => void (await admin(`/_presso/stacks/${stackName}`, { method: 'DELETE' })),
    stackNames: async () =>
      ((await admin('/_presso/stacks')) as { stacks: { name: string }[] }).stacks.map((s) => s.name),
    token: async (request) =>
      (await admin('/_presso/token', { method: 'POST', body: JSON.stringify(request) })).token as string,
    async archived<D>(pattern: unknown) {
      const res = await fetch(
        new URL(`/_presso/events?bus=${BUS_NAME}&pattern=${encodeURIComponent(JSON.stringify(pattern))}`, cloud.url),
      );
      return (await res.text())
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as EventEnvelope<D>);
    },
    async ruleOf(stack) {
      const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
      if (Rules?.length !== 1)
        throw new Error(`stack ${stack.name} has ${Rules?.length ?? 0} rules on the bus, not one`);
      return Rules[0]!.Arn!;
    },
    delivered: async (ruleArn, count, ms) =>
      void (await until(
        `${count} deliveries`,
        async () => {
          const { rules } = (await admin('/_presso/stats')) as {
            rules: Record<string, { delivered: number; failed: number }>;
          };
          const rule = rules[ruleArn];
          if (rule && rule.failed > 0) throw new Error(`the rule's function failed ${rule.failed} time(s)`);
          return rule !== undefined && rule.delivered >= count;
        },
        ms === undefined ? {} : { ms },
      )),
    async replay(player, input) {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: player.outputs.EventPlayerStateMachineArn!,
          input: JSON.stringify(input),
        }),
      );
      const status = await until(
        'the replay to end',
        async () => {
          const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          return status !== 'RUNNING' && status;
        },
        { ms: 120_000 },
      );
      if (status !== 'SUCCEEDED') throw new Error(`the replay ended ${status}`);
      return executionArn!;
    },
    async close() {
      eb.destroy();
      sfn.destroy();
      await cloud.close();
    },
  };
}

/** The core's HTTP API (its local URL), called as a user of its pool. */
export function coreApi(core: StackRecord) {
  return async function call(
    method: string,
    path: string,
    bearer: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${core.localOutputs.ApiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };
}

/**
 * One order through the core's routes as people place it: the customer scans the admin's QR code and
 * orders the drink, the barista makes and completes it; resolves with the order id once the core
 * shows it completed.
 */
export async function orderThroughCore(
  core: StackRecord,
  people: { admin: string; customer: string; barista: string },
  drink: string,
  eventId = 'NYC',
): Promise<string> {
  const call = coreApi(core);
  const { code } = (await call('GET', `/events/${eventId}/qr-code`, people.admin)) as { code: string };
  const { orderId } = (await call('POST', `/events/${eventId}/orders`, people.customer, { code })) as {
    orderId: string;
  };
  await until(
    'the order to be stored',
    async () =>
      (
        await fetch(`${core.localOutputs.ApiUrl}/orders/${orderId}`, {
          headers: { authorization: `Bearer ${people.customer}` },
        })
      ).ok,
  );
  await call('PUT', `/orders/${orderId}/drink`, people.customer, { drink, modifiers: [] });
  await until('the order in the queue', async () =>
    ((await call('GET', `/events/${eventId}/queue`, people.barista)).orders as { orderId: string }[]).some(
      (o) => o.orderId === orderId,
    ),
  );
  await call('POST', `/orders/${orderId}/make`, people.barista);
  await call('POST', `/orders/${orderId}/complete`, people.barista);
  await until('the order to be completed', async () =>
    (
      (await call('GET', `/events/${eventId}/my-orders`, people.customer)).orders as {
        orderId: string;
        status: string;
      }[]
    ).some((o) => o.orderId === orderId && o.status === 'COMPLETED'),
  );
  return orderId;
}
