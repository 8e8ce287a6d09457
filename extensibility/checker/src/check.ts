// `presso check DIR`: rules 1 and 2 read the extension's template (and the repo's other apps);
// rule 3 runs it on the local cloud beside the core (isolation.ts).
import { resolve } from 'node:path';
import { appAt, repoRootOf, scanApp, type App } from './repo.js';
import { importedNames, readRaw } from './raw.js';
import { checkRule1 } from './rule1.js';
import { checkRule2, consumedEvents } from './rule2.js';
import type { Violation } from './violation.js';

export interface CheckReport {
  app: App;
  violations: Violation[];
  /** Detail-types of the contract its rules consume (what it reacts to). */
  consumes: string[];
  /** Detail-types it declares it puts. */
  emits: string[];
}

export interface CheckOptions {
  /** The repo whose core and player the extension must not touch; default: the repo DIR is in, else this one. */
  root?: string;
}

/** Rules 1 and 2 over the extension in `dir`. Never throws for a bad template: that is a violation too. */
export function checkExtension(dir: string, options: CheckOptions = {}): CheckReport {
  const abs = resolve(dir);
  const root = options.root ?? repoRootOf(abs);
  const app = appAt(abs, root);
  const raw = readRaw(app.templateFile);
  // Imports are a rule 1 violation, not a reason to stop: load with a stand-in for each.
  const scan = scanApp(app, { exports: Object.fromEntries(importedNames(raw).map((n) => [n, `imported-${n}`])) });
  if (!scan.template) {
    return { app, violations: scan.findings.map((f) => ({ ...f, rule: 'template' })), consumes: [], emits: [] };
  }
  const violations = [...checkRule1(app, raw, scan.template, root), ...checkRule2(scan)];
  return {
    app,
    violations,
    consumes: consumedEvents(scan),
    emits: [...new Set(scan.producers.map((p) => p.detailType))].sort(),
  };
}
