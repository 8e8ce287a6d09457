// Runs the real `presso` binary in a child process, as a user would; for the CLI's tests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PRESSO_BIN = new URL('../bin/presso.js', import.meta.url).pathname;

/** presso's exit code, standard output and error; a non-zero exit is a result, not an exception. */
export async function presso(
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [PRESSO_BIN, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
