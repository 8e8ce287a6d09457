// `presso check DIR`: rules 1 and 2 read the extension's template (and the repo's other apps), one
// file per check under checks/; rule 3 runs it on the local cloud beside the core (isolation.ts).
// Then the template's waivers (waivers.ts) set aside what they name.
import { resolve } from 'node:path';
import type { LoadedTemplate } from '@serverlesspresso/catalog/bus';
import { appAt, repoRootOf, scanApp, type App } from './repo.js';
import { importedNames, Names, readRaw, type RawTemplate } from './raw.js';
import { busByName, stateMachineBus } from './checks/bus-by-name.js';
import type { Context } from './checks/context.js';
import { emitsContractEvent, emittedEvents } from './checks/emits-contract-event.js';
import { extensionJson } from './checks/extension-json.js';
import { noSharedBus } from './checks/no-shared-bus.js';
import { putEventsCondition } from './checks/put-events-condition.js';
import { othersNames, ownResources } from './checks/own-resources.js';
import { ownTargets } from './checks/own-targets.js';
import { consumedEvents, routesContractEvent } from './checks/routes-contract-event.js';
import { iamResources, samPolicies } from './checks/scoped-policy.js';
import { CHECKS } from './checks.js';
import { violationOf, type Violation, type Waived } from './violation.js';
import { applyWaivers, waiversOf } from './waivers.js';

export interface CheckReport {
  app: App;
  /** What fails, waivers applied. */
  violations: Violation[];
  /** The template's waivers, each with the violations it set aside. */
  waived: Waived[];
  /** Detail-types of the contract its rules consume (what it reacts to). */
  consumes: string[];
  /** Detail-types it declares it puts. */
  emits: string[];
}

export interface CheckOptions {
  /** The repo whose core and player the extension must not touch; default: the repo DIR is in, else this one. */
  root?: string;
}

/** Rule 1's checks over one extension: its raw template, its loaded template, and the repo's other apps. */
export function checkOwnResources(app: App, raw: RawTemplate, template: LoadedTemplate, root: string): Violation[] {
  const violations: Violation[] = [];
  // Properties are reported as template paths (Resources.<Id>.Properties...), like the loader's errors.
  const push: Context['push'] = (id, resource, property, message, fix) => {
    const full =
      resource in raw.resources && !property.startsWith('Resources.') ? `Resources.${resource}.${property}` : property;
    violations.push(violationOf(id, { file: app.path, resource, property: full, message, fix }));
  };
  const ctx: Context = { app, raw, names: new Names(raw), push };
  ownResources(ctx, othersNames(root));
  for (const [logicalId, r] of Object.entries(raw.resources)) {
    const type = String(r.Type);
    const props = r.Properties ?? {};
    if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine')
      samPolicies(ctx, logicalId, props.Policies);
    iamResources(ctx, logicalId, type, props);
    noSharedBus(ctx, logicalId, type, props);
    busByName(ctx, logicalId, type, props);
    ownTargets(ctx, logicalId, type, props);
  }
  stateMachineBus(ctx, template);
  // Deduplicate: a value seen by two checks is one violation.
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.resource}|${v.property}|${v.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
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
    const violations = scan.findings.map((f) => violationOf('template.loads', f));
    return { app, violations, waived: [], consumes: [], emits: [] };
  }
  const waivers = waiversOf(raw, app.path);
  const consumes = consumedEvents(scan);
  const emits = emittedEvents(scan);
  const found = [
    ...extensionJson(app, raw, consumes, emits),
    ...checkOwnResources(app, raw, scan.template, root),
    ...putEventsCondition(app, raw, scan),
    ...routesContractEvent(scan),
    ...emitsContractEvent(scan),
  ];
  // presso lint's waivers are its own (lint/).
  const own = waivers.waivers.filter((w) => CHECKS[w.id].rule !== 'lint');
  const { violations, waived } = applyWaivers(found, own);
  return {
    app,
    violations: [...violations, ...waivers.violations],
    waived,
    consumes,
    emits,
  };
}
