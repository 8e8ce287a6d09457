// presso check DIR: the contract checker's verdict on one extension, a line per violation with its
// fix, each naming its check's id, and each check the template waives. Rules 1 and 2 read the template; --isolation also runs rule 3 on a local cloud of its own.
import {
  checkExtension,
  checkIsolation,
  formatViolation,
  formatWaived,
  mergeWaived,
  repoRootOf,
  type Violation,
  type Waived,
} from '@serverlesspresso/checker';

export interface CheckOptions {
  json?: boolean;
  root?: string;
  isolation?: boolean;
}

export async function checkCommand(dir: string, options: CheckOptions, out: NodeJS.WritableStream): Promise<number> {
  let report;
  try {
    report = checkExtension(dir, options.root ? { root: options.root } : {});
  } catch (e) {
    out.write(`presso check: ${(e as Error).message}\n`);
    return 2;
  }
  const { app, consumes, emits } = report;
  const violations: Violation[] = [...report.violations];
  let waived: Waived[] = report.waived;
  let notes: string[] = [];
  if (options.isolation) {
    if (!options.json)
      out.write(`rule 3: starting a local cloud with the core, then deploying ${app.name} beside it ...\n`);
    try {
      const isolation = await checkIsolation(app.dir, { root: options.root ?? repoRootOf(app.dir) });
      violations.push(...isolation.violations);
      waived = mergeWaived(waived, isolation.waived);
      notes = isolation.notes;
    } catch (e) {
      out.write(`presso check: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const rules = options.isolation ? '1, 2 and 3' : '1 and 2';
  if (options.json) {
    out.write(
      JSON.stringify(
        {
          app: app.name,
          template: app.path,
          rules,
          passed: violations.length === 0,
          consumes,
          emits,
          violations,
          waived,
          notes,
        },
        null,
        2,
      ) + '\n',
    );
    return violations.length ? 1 : 0;
  }
  out.write(`checking ${app.name} (${app.path})\n`);
  out.write(`  consumes: ${consumes.join(', ') || 'nothing of the contract'}\n`);
  out.write(`  emits:    ${emits.join(', ') || 'nothing'}\n`);
  for (const note of notes) out.write(`  rule 3: ${note}\n`);
  for (const w of waived) out.write(`${formatWaived(w)}\n`);
  if (violations.length === 0) {
    out.write(
      options.isolation
        ? 'passed rules 1 (only its own resources), 2 (routes events of the contract) and 3 (deploys and deletes alone, the core unchanged)\n'
        : 'passed rules 1 (only its own resources) and 2 (routes events of the contract); rule 3 runs with --isolation\n',
    );
    return 0;
  }
  out.write(violations.map((v) => formatViolation(v)).join('\n') + '\n');
  out.write(`${violations.length} violation${violations.length === 1 ? '' : 's'} of rules ${rules}\n`);
  return 1;
}
