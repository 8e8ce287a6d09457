// presso check DIR: the contract checker's verdict on one extension, a line per violation with its fix.
import { checkExtension, formatViolation } from '@serverlesspresso/checker';

export function checkCommand(dir: string, options: { json?: boolean; root?: string }, out: NodeJS.WritableStream): number {
  let report;
  try {
    report = checkExtension(dir, options.root ? { root: options.root } : {});
  } catch (e) {
    out.write(`presso check: ${(e as Error).message}\n`);
    return 2;
  }
  const { app, violations, consumes, emits } = report;
  if (options.json) {
    out.write(JSON.stringify({ app: app.name, template: app.path, passed: violations.length === 0, consumes, emits, violations }, null, 2) + '\n');
    return violations.length ? 1 : 0;
  }
  out.write(`checking ${app.name} (${app.path})\n`);
  out.write(`  consumes: ${consumes.join(', ') || 'nothing of the contract'}\n`);
  out.write(`  emits:    ${emits.join(', ') || 'nothing'}\n`);
  if (violations.length === 0) {
    out.write('passed rules 1 (only its own resources) and 2 (routes events of the contract)\n');
    return 0;
  }
  out.write(violations.map((v) => formatViolation(v)).join('\n') + '\n');
  out.write(`${violations.length} violation${violations.length === 1 ? '' : 's'}\n`);
  return 1;
}
