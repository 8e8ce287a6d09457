// What the robot's tests on the local cloud share: SDK clients on the edge, a tap on the bus (every
// accepted event with the moment it was accepted), and bounded waits (the repo's `until`) for executions.
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { EventEnvelope } from '@serverlesspresso/catalog';
import type { LocalCloud } from '@serverlesspresso/local';
import { until } from '@serverlesspresso/testing';

export const extensionDir = new URL('..', import.meta.url).pathname;
export const clientConfig = (cloud: LocalCloud) => ({
  endpoint: cloud.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

export interface Tapped {
  event: EventEnvelope;
  /** When the bus accepted it (Date.now() as the archive records it, before PutEvents answers). */
  at: number;
}

export interface BusTap {
  readonly events: Tapped[];
  of(detailType: string): Tapped[];
  close(): void;
}

/** Every event the bus accepts from now on, with the moment it was accepted. */
export function tapBus(cloud: LocalCloud, bus: string): BusTap {
  const events: Tapped[] = [];
  const close = cloud.events.archive.subscribe((archived) => {
    if (archived.bus === bus) events.push({ event: archived.event as EventEnvelope, at: Date.now() });
  });
  return { events, of: (detailType) => events.filter((t) => t.event['detail-type'] === detailType), close };
}

/** Starts an execution and waits until it ends. */
export async function runToEnd(
  sfn: SFNClient,
  stateMachineArn: string,
  input: unknown,
  timeoutMs = 30_000,
): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return until(
    `the execution ${executionArn} to end`,
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    { ms: timeoutMs },
  );
}

/** Waits until a state machine has `count` executions and none of them runs; returns them by status. */
export async function settledExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Map<ExecutionStatus, string[]>> {
  return until(
    `${count} finished executions of ${stateMachineArn}`,
    async () => {
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
    },
    { ms: timeoutMs },
  );
}
