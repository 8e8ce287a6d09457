// Benchmark of the local Lambda runtime (run: npx tsx extensibility/local/bench/lambda.bench.ts).
// Prints: a stack's deploy time (cold build and warm, cached build), a function's cold start
// (new sandbox: worker + module import; time and CPU, bare and with an SDK client) and the warm
// invocation overhead, in process and through the edge with the SDK's LambdaClient.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { rmSync, statSync } from 'node:fs';
import { startLocalCloud } from '../src/index.js';
import { buildFunction, workerFunction, type WorkerFunction } from '../src/services/lambda/runtime/index.js';
import { buildDirOf } from '../src/stacks/resources/functions.js';

const app = new URL('../test/lambda/fixtures/fn-app', import.meta.url).pathname;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  console.log(
    `${label}: p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, ${(samples.length / (total / 1000)).toFixed(0)}/s sequential (n=${samples.length})`,
  );
}

async function main(): Promise<void> {
  rmSync(`${app}/.aws-sam/presso`, { recursive: true, force: true });
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  try {
    let t = performance.now();
    await cloud.stacks.deploy({ path: app, stackName: 'bench' });
    console.log(`deploy fn-app (4 functions, 1 bus, 1 rule), cold build: ${ms(performance.now() - t)}`);
    await cloud.stacks.delete('bench');
    t = performance.now();
    await cloud.stacks.deploy({ path: app, stackName: 'bench' });
    console.log(`deploy fn-app again, cached build: ${ms(performance.now() - t)}`);

    const echoName = cloud.stacks.get('bench')!.resources.find((r) => r.logicalId === 'Echo')!.physicalId;
    const echo = cloud.lambda.get(echoName) as WorkerFunction;

    // Cold starts: fresh sandboxes of the same bundle, each started and thrown away; a bare handler,
    // then one that bundles an SDK client (most of a real function's start).
    for (const [label, module] of [
      ['echo', 'Echo'],
      ['publisher', 'Publisher'],
    ] as const) {
      const built = await buildFunction({
        name: label,
        codeUri: app,
        handler: `${label}.handler`,
        outDir: buildDirOf(app, 'bench', module),
        metadata: {
          BuildMethod: 'esbuild',
          BuildProperties: { EntryPoints: [`src/${label}.ts`], Format: 'esm', OutExtension: ['.js=.mjs'] },
        },
      });
      const cold: number[] = [];
      const coldCpu: number[] = [];
      for (let i = 0; i < 20; i++) {
        const fresh = workerFunction({
          name: 'cold',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:cold',
          timeoutSeconds: 3,
          memoryMb: 128,
          environment: {},
          bundleFile: built.bundleFile,
          exportName: 'handler',
          log: () => {},
        });
        const cpu = process.cpuUsage();
        const start = performance.now();
        // The sandbox's init, as a deploy does it: the bundle imported, no invocation.
        await fresh.warm();
        cold.push(performance.now() - start);
        const used = process.cpuUsage(cpu);
        coldCpu.push((used.user + used.system) / 1000);
        fresh.dispose();
      }
      summary(
        `cold start of ${label} (new worker sandbox, module import; bundle ${(statSync(built.bundleFile).size / 1024).toFixed(0)} KB with its source map)`,
        cold,
      );
      // CPU of every thread: what a burst of cold starts costs a loaded machine.
      console.log(
        `  CPU per cold start: p50 ${ms(
          percentile(
            [...coldCpu].sort((a, b) => a - b),
            50,
          ),
        )}`,
      );
    }

    const warm: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const start = performance.now();
      await echo.invoke({ i });
      warm.push(performance.now() - start);
    }
    summary('warm invocation, in process (worker round trip)', warm);

    const client = new LambdaClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const viaEdge: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const start = performance.now();
      await client.send(new InvokeCommand({ FunctionName: echoName, Payload: Buffer.from(JSON.stringify({ i })) }));
      viaEdge.push(performance.now() - start);
    }
    summary('warm invocation through the edge (LambdaClient Invoke)', viaEdge);
    client.destroy();
  } finally {
    await cloud.close();
  }
}

await main();
