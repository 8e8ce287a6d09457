// DynamoDB Local is a Java program: the local cloud checks for a recent enough `java` before
// anything else, so a missing runtime is one clear message at start, not a stack trace later.
import { spawn } from 'node:child_process';

export const MINIMUM_JAVA = 17;

const INSTALL_HINT =
  `Install Java ${MINIMUM_JAVA} or newer and make sure \`java\` is on PATH: ` +
  `\`sudo apt-get install openjdk-${MINIMUM_JAVA}-jre-headless\` on Debian/Ubuntu, ` +
  `\`brew install openjdk@${MINIMUM_JAVA}\` on macOS, or any JDK ${MINIMUM_JAVA}+ (e.g. Eclipse Temurin).`;

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

/** The major version in `java -version` output ("1.8.0_292" is 8, "17.0.15" is 17, "21" is 21). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export interface JavaCheckOptions {
  /** The environment `java` is looked up in (PATH); the process's own by default. */
  env?: NodeJS.ProcessEnv;
  command?: string;
}

/** Resolves with the Java major version; rejects with a JavaMissingError that says what to install. */
export function checkJava(options: JavaCheckOptions = {}): Promise<number> {
  const command = options.command ?? 'java';
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(command, ['-version'], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT' ? `\`${command}\` was not found on PATH` : `\`${command} -version\` failed (${e.message})`;
      reject(new JavaMissingError(`DynamoDB Local needs Java ${MINIMUM_JAVA} or newer, and ${why}. ${INSTALL_HINT}`));
    });
    child.on('close', (code) => {
      const major = javaMajorVersion(output);
      if (code !== 0 || major === undefined) {
        return reject(
          new JavaMissingError(
            `DynamoDB Local needs Java ${MINIMUM_JAVA} or newer, and \`${command} -version\` did not report a version (exit code ${code}). ${INSTALL_HINT}`,
          ),
        );
      }
      if (major < MINIMUM_JAVA) {
        return reject(
          new JavaMissingError(
            `DynamoDB Local needs Java ${MINIMUM_JAVA} or newer, and \`${command}\` is Java ${major}. ${INSTALL_HINT}`,
          ),
        );
      }
      resolve(major);
    });
  });
}
