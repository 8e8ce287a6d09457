// OrderRobot benchmark: the load the robot generates on the local cloud, alone on the bus (no core, so
// the figures are the robot's own): for a rate and a time scale, the customers per minute it reached,
// how late each customer scanned against its schedule, and the CPU each customer costs the local
// cloud's Node process (the Step Functions engine, the function's sandbox, the edge; DynamoDB Local's
// JVM not included). Run: npm run bench -w @serverlesspresso/extension-order-robot
// (RUNS="rate:speed:minutes,..." to choose, e.g. RUNS=600:10:1).
import { performance } from 'node:perf_hooks';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS_NAME } from '@serverlesspresso/catalog';
import { startLocalCloud } from '@serverlesspresso/local';
import { arrivalSecond, orderIdOf } from '../src/schedule.js';

const runs = (process.env.RUNS ?? '120:20:2,3000:1:1').split(',').map((r) => {
  const [rate, speed, minutes] = r.split(':').map(Number);
  if (!(rate! > 0 && speed! > 0 && minutes! > 0)) throw new Error(`RUNS: "${r}" is not rate:speed:minutes`);
  return { rate: rate!, speed: speed!, minutes: minutes! };
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

console.log('rate/min  speed  customers   reached/min  late p50   late p99   last late   CPU/customer  real s');
for (const { rate, speed, minutes } of runs) {
  const cloud = await startLocalCloud({ port: 0, speed, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const eb = new EventBridgeClient(config);
  const sfn = new SFNClient(config);
  try {
    await eb.send(new CreateEventBusCommand({ Name: BUS_NAME }));
    const stack = await cloud.stacks.deploy({
      path: new URL('..', import.meta.url).pathname,
      stackName: 'order-robot',
    });
    const scans = new Map<string, number>();
    const unsubscribe = cloud.events.archive.subscribe(({ bus, event }) => {
      if (bus === BUS_NAME && event['detail-type'] === 'Validator.NewOrder')
        scans.set(String(event.detail.orderId), Date.now());
    });
    const orders = Math.floor(rate * minutes);
    const cpu = process.cpuUsage();
    const t0 = Date.now();
    const start = performance.now();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.outputs.OrderRobotStateMachineArn,
        input: JSON.stringify({
          eventId: 'BENCH',
          orders,
          ordersPerMinute: rate,
          customerDelaySeconds: 0,
          baristaDelaySeconds: 0,
        }),
      }),
    );
    const deadline = Date.now() + ((minutes * 60) / speed) * 1000 * 3 + 60_000;
    while (scans.size < orders && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const elapsed = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    unsubscribe();
    const status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;

    const late: number[] = [];
    for (let n = 0; n < orders; n++) {
      const at = scans.get(orderIdOf(executionArn!, n));
      if (at !== undefined) late.push(at - (t0 + (arrivalSecond(n, rate) / speed) * 1000));
    }
    const times = [...scans.values()];
    const spanMachineMinutes = ((Math.max(...times) - Math.min(...times)) * speed) / 60_000;
    const reached = spanMachineMinutes > 0 ? (scans.size - 1) / spanMachineMinutes : NaN;
    const cpuMs = (used.user + used.system) / 1000 / Math.max(1, scans.size);
    console.log(
      `${String(rate).padStart(8)}  ${String(speed).padStart(5)}  ${`${scans.size}/${orders}`.padStart(9)}   ${reached.toFixed(0).padStart(11)}  ${`${percentile(late, 50).toFixed(0)} ms`.padStart(8)}  ${`${percentile(late, 99).toFixed(0)} ms`.padStart(9)}  ${`${late.at(-1)?.toFixed(0)} ms`.padStart(10)}  ${`${cpuMs.toFixed(2)} ms`.padStart(12)}  ${elapsed.toFixed(1).padStart(6)}${status === 'SUCCEEDED' || status === 'RUNNING' ? '' : `  run ${status}`}`,
    );
  } finally {
    eb.destroy();
    sfn.destroy();
    await cloud.stacks.deleteAll();
    await cloud.close();
  }
}
console.log(
  "late: how long after its second in the schedule a customer scanned (real ms). Seconds spent starting a minute's customers are taken off their waits in whole wall-clock seconds: up to a second late at speed 1, more under a time scale, where a wall-clock second is many machine seconds.",
);
