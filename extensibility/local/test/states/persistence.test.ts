// With a data dir, executions and their histories survive a restart of the local cloud; one that
// was still running comes back failed, saying why.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'presso-persist-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const definition = JSON.stringify({
  StartAt: 'Branch',
  States: {
    Branch: { Type: 'Choice', Choices: [{ Variable: '$.wait', BooleanEquals: true, Next: 'Wait' }], Default: 'Done' },
    Wait: { Type: 'Wait', Seconds: 86_400, Next: 'Done' },
    Done: { Type: 'Pass', Result: { brewed: true }, End: true },
  },
});

async function withCloud<T>(work: (cloud: LocalCloud, sfn: SFNClient, machineArn: string) => Promise<T>): Promise<T> {
  const cloud = await startLocalCloud({ port: 0, dataDir, log: () => {} });
  const sfn = new SFNClient({ endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  try {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'Brew', definition, roleArn: 'arn:aws:iam::000000000000:role/r' }));
    return await work(cloud, sfn, stateMachineArn!);
  } finally {
    sfn.destroy();
    await cloud.close();
  }
}

describe('executions with --data-dir', () => {
  it('come back after a restart with their histories; a running one comes back failed', async () => {
    const before = await withCloud(async (cloud, sfn, machine) => {
      const done = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'done', input: '{"wait":false}' }));
      await cloud.states.engine.waitForExecution(done.executionArn!);
      const waiting = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'waiting', input: '{"wait":true}' }));
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
      return { done: done.executionArn!, waiting: waiting.executionArn!, history: history.events!.map((e) => e.type) };
    });

    await withCloud(async (_cloud, sfn, machine) => {
      const done = await sfn.send(new DescribeExecutionCommand({ executionArn: before.done }));
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ brewed: true });
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: before.done }));
      expect(history.events!.map((e) => e.type)).toEqual(before.history);

      const waiting = await sfn.send(new DescribeExecutionCommand({ executionArn: before.waiting }));
      expect(waiting).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'The local engine restarted while the execution was running.' });

      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine }));
      expect(listed.executions!.map((e) => [e.name, e.status]).sort()).toEqual([['done', 'SUCCEEDED'], ['waiting', 'FAILED']]);
    });
  });
});
