// With a data dir, state machines made through the API, executions and their histories survive a
// restart of the local cloud; a Standard one that was still running resumes where it was (its
// journal: resume.test.ts, crash.test.ts). Beyond the retention the oldest closed executions are
// forgotten, in memory and in the journal alike.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-persist-'));
  dirs.push(dir);
  return dir;
};

const definition = JSON.stringify({
  StartAt: 'Branch',
  States: {
    Branch: { Type: 'Choice', Choices: [{ Variable: '$.wait', BooleanEquals: true, Next: 'Wait' }], Default: 'Done' },
    Wait: { Type: 'Wait', Seconds: 86_400, Next: 'Done' },
    Done: { Type: 'Pass', Result: { brewed: true }, End: true },
  },
});
const ROLE = 'arn:aws:iam::000000000000:role/r';

async function withCloud<T>(
  options: LocalCloudOptions & { dataDir: string },
  work: (cloud: LocalCloud, sfn: SFNClient) => Promise<T>,
): Promise<T> {
  const cloud = await startLocalCloud({ port: 0, log: () => {}, ...options });
  const sfn = new SFNClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  try {
    return await work(cloud, sfn);
  } finally {
    sfn.destroy();
    await cloud.close();
  }
}

async function runToEnd(
  cloud: LocalCloud,
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input = '{"wait":false}',
): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  await cloud.states.engine.waitForExecution(executionArn!);
  return executionArn!;
}

const names = async (sfn: SFNClient, stateMachineArn: string) =>
  ((await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? []).map((e) => [e.name, e.status]);

const journalLines = (dir: string) =>
  readFileSync(join(dir, 'states', 'executions.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('executions with --data-dir', () => {
  it('come back after a restart with their histories and their state machine; a running one resumes in its Wait', async () => {
    const dir = dataDir();
    const before = await withCloud({ dataDir: dir }, async (cloud, sfn) => {
      const { stateMachineArn, creationDate } = await sfn.send(
        new CreateStateMachineCommand({ name: 'Brew', definition, roleArn: ROLE }),
      );
      const done = await runToEnd(cloud, sfn, stateMachineArn!, 'done');
      const waiting = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: 'waiting', input: '{"wait":true}' }),
      );
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done }));
      return {
        machine: stateMachineArn!,
        creationDate: creationDate!,
        done,
        waiting: waiting.executionArn!,
        history: history.events!.map((e) => e.type),
      };
    });

    // The machine was made with CreateStateMachine, not by a stack: it comes back as it was.
    await withCloud({ dataDir: dir }, async (_cloud, sfn) => {
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: before.machine }));
      expect(machine).toMatchObject({ name: 'Brew', definition, roleArn: ROLE, type: 'STANDARD' });
      expect(machine.creationDate).toEqual(before.creationDate);

      const done = await sfn.send(new DescribeExecutionCommand({ executionArn: before.done }));
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ brewed: true });
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: before.done }));
      expect(history.events!.map((e) => e.type)).toEqual(before.history);

      const waiting = await sfn.send(new DescribeExecutionCommand({ executionArn: before.waiting }));
      expect(waiting.status).toBe('RUNNING');
      const waited = await sfn.send(new GetExecutionHistoryCommand({ executionArn: before.waiting }));
      expect(waited.events!.map((e) => e.type).slice(-1)).toEqual(['WaitStateEntered']);

      expect((await names(sfn, before.machine)).sort()).toEqual([
        ['done', 'SUCCEEDED'],
        ['waiting', 'RUNNING'],
      ]);
      await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: before.machine }));
    });

    // Deleted is deleted, after a restart too.
    await withCloud({ dataDir: dir }, async (_cloud, sfn) => {
      const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
      expect(stateMachines).toEqual([]);
    });
  });

  it('beyond the retention, the oldest closed ones are forgotten at restart, in the journal too, and the cloud starts', async () => {
    const dir = dataDir();
    const retainClosedExecutions = { STANDARD: 3, EXPRESS: 2 };
    const machines = await withCloud({ dataDir: dir }, async (cloud, sfn) => {
      // Kept without limit on this first run, so the journal holds more than the restart will keep.
      const { stateMachineArn: standard } = await sfn.send(
        new CreateStateMachineCommand({ name: 'Standard', definition, roleArn: ROLE }),
      );
      const { stateMachineArn: express } = await sfn.send(
        new CreateStateMachineCommand({ name: 'Express', definition, roleArn: ROLE, type: 'EXPRESS' }),
      );
      for (let i = 1; i <= 4; i++) await runToEnd(cloud, sfn, standard!, `s${i}`);
      for (let i = 1; i <= 5; i++) await runToEnd(cloud, sfn, express!, `e${i}`);
      // Still running at the restart: it resumes (running ones are always kept). A Standard execution
      // is in executions.jsonl once it ended (while it runs, its own journal has it); an Express
      // one when it starts and when it ends.
      await sfn.send(new StartExecutionCommand({ stateMachineArn: standard, name: 'w', input: '{"wait":true}' }));
      expect(journalLines(dir)).toHaveLength(4 + 2 * 5);
      return { standard: standard!, express: express! };
    });

    for (let restart = 1; restart <= 2; restart++) {
      await withCloud({ dataDir: dir, retainClosedExecutions }, async (_cloud, sfn) => {
        expect(await names(sfn, machines.standard)).toEqual(
          expect.arrayContaining([
            ['w', 'RUNNING'],
            ['s4', 'SUCCEEDED'],
            ['s3', 'SUCCEEDED'],
            ['s2', 'SUCCEEDED'],
          ]),
        );
        expect(await names(sfn, machines.standard)).toHaveLength(4);
        expect((await names(sfn, machines.express)).map(([name]) => name).sort()).toEqual(['e4', 'e5']);
        // What is forgotten is ExecutionDoesNotExist, as anywhere else.
        await expect(
          sfn.send(
            new DescribeExecutionCommand({
              executionArn: machines.standard.replace(':stateMachine:', ':execution:') + ':s1',
            }),
          ),
        ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
      });
      // The journal was compacted to what the engine kept (the running one is in its own journal).
      expect(journalLines(dir)).toHaveLength(5);
    }
  });
});
