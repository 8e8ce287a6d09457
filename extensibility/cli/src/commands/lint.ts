// presso lint [DIR...]: would CloudFormation deploy these templates? Each app's template (default:
// every app of the repo: the core, the EventPlayer, the model, every extension, the web apps) against
// CloudFormation's registry schemas and IAM's service authorization reference, with hygiene warnings
// a template may waive with a reason. Exit 1 on any error or unwaived warning, 2 when it cannot run.
import {
  appsIn,
  deployableApps,
  formatLint,
  formatWaived,
  lintApp,
  loadLintSpec,
  type LintReport,
} from '@serverlesspresso/checker';

export interface LintOptions {
  root: string;
  json?: boolean;
}

export async function lintCommand(dirs: string[], options: LintOptions, out: NodeJS.WritableStream): Promise<number> {
  let apps;
  try {
    apps = dirs.length ? appsIn(dirs, options.root) : deployableApps(options.root);
  } catch (e) {
    out.write(`presso lint: ${(e as Error).message}: give app folders, each with its template.yaml\n`);
    return 2;
  }
  const started = performance.now();
  const spec = await loadLintSpec();
  const loaded = performance.now();
  const reports: LintReport[] = apps.map((app) => lintApp(app, spec));
  const linted = performance.now();
  const errors = reports.reduce((n, r) => n + r.errors.length, 0);
  const warnings = reports.reduce((n, r) => n + r.warnings.length, 0);
  if (options.json) {
    out.write(
      JSON.stringify(
        reports.map((r) => ({
          app: r.app.name,
          template: r.app.path,
          passed: r.errors.length + r.warnings.length === 0,
          errors: r.errors,
          warnings: r.warnings,
          waived: r.waived,
        })),
        null,
        2,
      ) + '\n',
    );
    return errors + warnings ? 1 : 0;
  }
  for (const r of reports) {
    const lines = [
      ...r.errors.map((v) => formatLint(v, 'error')),
      ...r.warnings.map((v) => formatLint(v, 'warning')),
      ...r.waived.map((w) => `${r.app.path}: ${formatWaived(w)}`),
    ];
    const verdict =
      r.errors.length + r.warnings.length === 0 ? 'ok' : `${r.errors.length} errors, ${r.warnings.length} warnings`;
    out.write(`${r.app.path}: ${verdict}\n${lines.map((l) => `  ${l.replace(/\n/g, '\n  ')}\n`).join('')}`);
  }
  out.write(
    `presso lint: ${apps.length} templates, ${errors} errors, ${warnings} warnings (schemas loaded in ${Math.round(loaded - started)} ms, linted in ${Math.round(linted - loaded)} ms)\n`,
  );
  return errors + warnings ? 1 : 0;
}
