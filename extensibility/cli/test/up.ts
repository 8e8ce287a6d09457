// `presso up` as a child process for process-level tests: resolves with the edge's URL once it prints
// its ready line, rejects with everything it printed if it exits first.
// @level integration: a local cloud, in a child process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export const presso = new URL('../bin/presso.js', import.meta.url).pathname;

export interface RunningUp {
  process: ChildProcessWithoutNullStreams;
  endpoint: string;
  output(): string;
  /** Ctrl-C, as a user stops it (it shuts its services down); killed if it has not exited in 10 s. */
  stop(): Promise<void>;
}

export async function startUp(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningUp> {
  const up = spawn(process.execPath, [presso, 'up', ...args], options);
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    up.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready\s+(\S+)/m.exec(output);
      if (ready) resolve(ready[1]!);
    });
    up.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.on('exit', (code) => reject(new Error(`presso up exited with ${code}:\n${output}`)));
  });
  const stop = async () => {
    if (up.exitCode !== null || up.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => up.once('exit', () => resolve()));
    up.kill('SIGINT');
    const timer = setTimeout(() => up.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { process: up, endpoint, output: () => output, stop };
}
