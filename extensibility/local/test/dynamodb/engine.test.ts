// DynamoDB Local's lifecycle as a user meets it: a missing or old Java is one clear message at
// start; `presso up` keeps tables in memory or in --data-dir; no Java process outlives presso,
// whether it is stopped with Ctrl-C (SIGINT) or killed outright.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { checkJava, JavaMissingError, startLocalCloud } from '../../src/index.js';
import { javaMajorVersion } from '../../src/services/dynamodb/java.js';
import { until } from '@serverlesspresso/testing/until';

const run = promisify(execFile);
const presso = new URL('../../../cli/bin/presso.js', import.meta.url).pathname;
const started: ChildProcessWithoutNullStreams[] = [];

const scratchDirs: string[] = [];
/** A temporary folder of this file, removed after its tests. */
function scratch(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `presso-${name}-`));
  scratchDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `presso up`; resolves with its edge URL and DynamoDB Local's port once it prints "ready". */
function up(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; ddbPort: number; output: () => string }> {
  const child = spawn(process.execPath, [presso, 'up', '--no-apps', '--port', '0', ...args]);
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready\s+(\S+)/m.exec(output);
      const ddb = /^dynamodb\s+DynamoDB Local .*\(127\.0\.0\.1:(\d+)/m.exec(output);
      if (ready && ddb) resolve({ child, url: ready[1]!, ddbPort: Number(ddb[1]), output: () => output });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`presso up exited with ${code}:\n${output}`)));
  });
}

/** Whether a DynamoDB Local JVM listens on this port. */
function engineRunning(port: number): boolean {
  const processes = execFileSync('ps', ['-ww', '-eo', 'args'], { encoding: 'utf8' });
  return processes.split('\n').some((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port} `));
}

/** How the process ended, with what it printed (so a failure shows why). */
const exited = (started: { child: ChildProcessWithoutNullStreams; output: () => string }) =>
  new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => {
    const { child } = started;
    const done = () => resolve({ code: child.exitCode, signal: child.signalCode, output: started.output() });
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', done);
  });
const client = (url: string) =>
  new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('Java', () => {
  it('reads the major version from java -version', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('java version "1.8.0_292"')).toBe(8);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('no version here')).toBeUndefined();
  });

  it('says what to install when java is not on PATH', async () => {
    const error = await checkJava({ env: { PATH: scratch('no-java') } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaMissingError);
    expect((error as Error).message).toBe(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. Install Java 17 or newer and make sure `java` is on PATH: ' +
        '`sudo apt-get install openjdk-17-jre-headless` on Debian/Ubuntu, `brew install openjdk@17` on macOS, or any JDK 17+ (e.g. Eclipse Temurin).',
    );
  });

  it('says so when java is too old', async () => {
    const dir = scratch('old-java');
    writeFileSync(join(dir, 'java'), '#!/bin/sh\necho \'java version "1.8.0_292"\' >&2\n');
    chmodSync(join(dir, 'java'), 0o755);
    await expect(checkJava({ env: { PATH: `${dir}:/usr/bin:/bin` } })).rejects.toThrow(
      'DynamoDB Local needs Java 17 or newer, and `java` is Java 8.',
    );
  });

  it('stops startLocalCloud before anything starts when Java is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = scratch('no-java');
    try {
      await expect(startLocalCloud({ port: 0, log: () => {} })).rejects.toThrow(/openjdk-17-jre-headless/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('makes presso up exit with that one message', async () => {
    const failed = await run(process.execPath, [presso, 'up', '--no-apps', '--port', '0'], {
      env: { ...process.env, PATH: scratch('no-java') },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr.trim()).toMatch(
      /^presso: DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH\. .*openjdk-17-jre-headless/,
    );
  });
});

describe('presso up and DynamoDB Local', () => {
  const dataDir = scratch('data');

  it('keeps tables in --data-dir across runs, and stops Java on Ctrl-C', async () => {
    const first = await up(['--data-dir', dataDir]);
    expect(first.output()).toContain(`DynamoDB Local on disk in ${join(dataDir, 'dynamodb')}`);
    expect(engineRunning(first.ddbPort)).toBe(true);
    const ddb = client(first.url);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'Kept',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: 'Kept', Item: { id: { S: 'order-1' } } }));
    ddb.destroy();
    first.child.kill('SIGINT');
    expect(await exited(first)).toEqual(expect.objectContaining({ code: 0 }));
    expect(engineRunning(first.ddbPort)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).toBe(true);

    const second = await up(['--data-dir', dataDir]);
    const again = client(second.url);
    expect((await again.send(new GetItemCommand({ TableName: 'Kept', Key: { id: { S: 'order-1' } } }))).Item).toEqual({
      id: { S: 'order-1' },
    });
    again.destroy();
    // Killed outright, presso cannot stop anything: the watchdog still ends the JVM.
    second.child.kill('SIGKILL');
    await exited(second);
    await until('the JVM to end after presso was killed', () => !engineRunning(second.ddbPort));
    // Two presso up processes, each starting a JVM: a loaded machine takes longer than jest's 30 s.
  }, 120_000);

  it('keeps tables in memory without --data-dir, and removes its own temporary folder on exit', async () => {
    const memory = await up([]);
    expect(memory.output()).toMatch(/^dynamodb\s+DynamoDB Local in memory/m);
    const [, own] =
      /^data\s+(\S+) \(temporary: removed on exit; --data-dir DIR keeps the data\)$/m.exec(memory.output()) ?? [];
    expect(own).toBeDefined();
    expect(existsSync(own!)).toBe(true);
    memory.child.kill('SIGTERM');
    expect(await exited(memory)).toEqual(expect.objectContaining({ code: 0 }));
    expect(engineRunning(memory.ddbPort)).toBe(false);
    expect(existsSync(own!)).toBe(false);
  });
});
