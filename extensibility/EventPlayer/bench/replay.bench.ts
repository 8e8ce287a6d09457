// Benchmark of the player on the local cloud (run: npm run bench -w @serverlesspresso/event-player).
// Replays the recorded session with every wait scaled to nothing, so what is left is the cost of a
// moment: a function call and a PutEvents call through the engine. That cost is also how late each
// moment runs in a real-time replay, behind its recorded time.
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalCloud } from '@serverlesspresso/local';
import { checkedArchive } from '../src/archive.js';
import { momentAt } from '../src/replay.js';
import { readFileSync } from 'node:fs';

const dir = new URL('..', import.meta.url).pathname;
const session = checkedArchive(JSON.parse(readFileSync(`${dir}archive/session.json`, 'utf8')));
const ROUNDS = 5;

const cloud = await startLocalCloud({ port: 0, speed: 1e9, log: () => {} });
const sfn = new SFNClient({
  endpoint: cloud.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
try {
  let t = performance.now();
  const stack = await cloud.stacks.deploy({
    path: dir,
    stackName: 'EventPlayer',
    parameterOverrides: { CreateBus: 'true' },
  });
  console.log(
    `deploy (esbuild build of the function with the archive, first sandbox): ${Math.round(performance.now() - t)} ms`,
  );
  for (const speed of [1, 10]) {
    let moments = 0;
    for (let cursor = 0; cursor < session.events.length; moments++)
      cursor = (momentAt(session, cursor, { speed }, { bus: 'b' }) as { next: number }).next;
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      t = performance.now();
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: stack.outputs.EventPlayerStateMachineArn,
          input: JSON.stringify({ speed }),
        }),
      );
      const done = await cloud.states.engine.waitForExecution(executionArn!);
      if (done.status !== 'SUCCEEDED') throw new Error(`the replay ${done.status}`);
      times.push(performance.now() - t);
    }
    const best = Math.min(...times);
    console.log(
      `replay of ${session.events.length} events in ${moments} moments (speed ${speed}), waits scaled away: best of ${ROUNDS} ${Math.round(best)} ms = ${(best / moments).toFixed(2)} ms per moment, ${Math.round((session.events.length / best) * 1000)} events/s`,
    );
  }
} finally {
  sfn.destroy();
  await cloud.close();
}
