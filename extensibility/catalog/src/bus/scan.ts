// One read of the repo's apps against the contract: their rules on the bus and what each matches,
// who produces each event, and every problem found on the way (a template that does not load, an
// invalid or dead rule, an unknown detail-type, an Emits declaration the code does not bear out).
import { BUS_NAME, EVENT_SOURCE } from '../contract.js';
import { discoverApps, loadApp, type App, type LoadAppOptions } from './apps.js';
import { checkEmits } from './emits.js';
import type { Finding } from './findings.js';
import { TemplateError, type LoadedTemplate } from './local.js';
import { producersOf, type DynamicProducer, type Producer } from './producers.js';
import { busRulesOf, judgeRule, type RuleVerdict } from './rules.js';
import { suggestDetailTypes } from './suggest.js';

export interface AppScan {
  app: App;
  template?: LoadedTemplate;
  rules: RuleVerdict[];
  producers: Producer[];
  dynamic: DynamicProducer[];
  findings: Finding[];
}

export interface RepoScan {
  apps: AppScan[];
  rules: RuleVerdict[];
  producers: Producer[];
  dynamic: DynamicProducer[];
  findings: Finding[];
}

/** Findings for rules that are not valid or match no event of the contract. */
export function ruleFindings(verdicts: RuleVerdict[]): Finding[] {
  return verdicts.flatMap(({ rule, invalid, matches }): Finding[] => {
    const where = { file: rule.app.path, resource: rule.resource, property: rule.property };
    if (invalid)
      return [{ ...where, message: invalid, fix: 'correct the pattern (EventBridge would refuse it at deploy)' }];
    if (matches.length > 0 && matches.some((m) => !m.undeclaredOnly)) return [];
    if (matches.length > 0) {
      const conditions = matches.map((m) => `${m.entry.detailType} ${m.condition ?? ''}`.trim());
      return [
        {
          ...where,
          message: `rule ${rule.logicalId} on the ${BUS_NAME} bus matches events of the contract only through fields their schemas do not declare, so no app is meant to put one (a dead rule): ${conditions.join('; ')}`,
          fix: `filter on fields the event's schema declares (extensibility/catalog/CATALOG.md), or add the field to the schema first (presso new-event for a new event)`,
        },
      ];
    }
    const near = suggestDetailTypes(rule.pattern);
    const guess = near.length > 0 ? `did you mean detail-type ${near.join(' or ')}? Otherwise ` : '';
    return [
      {
        ...where,
        message: `rule ${rule.logicalId} on the ${BUS_NAME} bus matches no event of the contract (a dead rule)`,
        fix: `${guess}match a detail-type of extensibility/catalog/CATALOG.md, with source "${EVENT_SOURCE}", and detail fields and values the event's schema has`,
      },
    ];
  });
}

export function scanApp(app: App, options: LoadAppOptions = {}): AppScan {
  let template: LoadedTemplate;
  try {
    template = loadApp(app, options);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const findings = e.issues.map((i): Finding => ({
      file: app.path,
      resource: i.resource ?? '(template)',
      property: i.property ?? '(template)',
      message: i.message,
      fix: 'correct the template: `sam validate` and `presso deploy` refuse it too',
    }));
    return { app, rules: [], producers: [], dynamic: [], findings };
  }
  const rules = busRulesOf(app, template).map(judgeRule);
  const produced = producersOf(app, template);
  return {
    app,
    template,
    rules,
    producers: produced.producers,
    dynamic: produced.dynamic,
    findings: [...ruleFindings(rules), ...produced.findings, ...checkEmits(app, template)],
  };
}

/** Scans every app of the repo (core, EventPlayer, the model, extensions/*) that has a template. */
export function scanRepo(root: string): RepoScan {
  const apps = discoverApps(root).map((app) => scanApp(app));
  return {
    apps,
    rules: apps.flatMap((a) => a.rules),
    producers: apps.flatMap((a) => a.producers),
    dynamic: apps.flatMap((a) => a.dynamic),
    findings: apps.flatMap((a) => a.findings),
  };
}
