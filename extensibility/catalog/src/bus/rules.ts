// The rules of a template on the Serverlesspresso bus (AWS::Events::Rule, and the rules SAM makes of
// EventBridgeRule / CloudWatchEvent events) and which events of the contract each one matches.
import { BUS_NAME, contract, type ContractEntry, type EventEnvelope } from '../contract.js';
import type { App } from './apps.js';
import { defaultResourceResolver, type LoadedTemplate, type SamRuleEvent } from './local.js';
import { witnesses } from './witness.js';
import { consumptionOf } from './exact.js';
import { compilePattern, InvalidEventPatternError } from './local.js';

export interface BusRule {
  app: App;
  /** The rule's logical id: the AWS::Events::Rule, or SAM's `<Resource><EventName>`. */
  logicalId: string;
  /** The resource written in the template: the rule itself, or the function / state machine whose event it is. */
  resource: string;
  /** Template path of the pattern, e.g. `Resources.Fn.Properties.Events.Completed.Properties.Pattern`. */
  property: string;
  /** The bus as written after resolution (a name or an ARN). */
  busAsWritten: string;
  bus: string;
  pattern: unknown;
  state: string;
  /** What it delivers to: logical ids of this template, or ARNs of anything else. */
  targets: Target[];
}

export interface Target {
  /** Logical id when the target is a resource of the same template. */
  logicalId?: string;
  type?: string;
  arn: string;
}

export interface RuleMatch {
  entry: ContractEntry;
  /** The concrete detail-type of the event that matched (a family member, for a family). */
  detailType: string;
  /** The event of the contract that matched: the entry's example, or its variant with the pattern's values. */
  event: EventEnvelope;
  /**
   * Undefined when the rule matches every event valid under the entry's schema (a consumer); else
   * the condition under which it does (a conditional consumer), e.g. "when `detail.orderId` is present".
   */
  condition?: string;
  /** Every way it matches needs a field the schema does not declare (a consumer of events no app is meant to put). */
  undeclaredOnly?: boolean;
  /** It takes live events only (wants `detail.replay` absent): not the EventPlayer's replays. */
  liveOnly?: boolean;
}

export interface RuleVerdict {
  rule: BusRule;
  /** AWS's refusal text when the pattern is not valid. */
  invalid?: string;
  matches: RuleMatch[];
}

/** A bus given by name or ARN, as its name (as EventBridge reads EventBusName). */
export function busNameOf(value: string): string {
  const marker = value.indexOf(':event-bus/');
  return value.startsWith('arn:') && marker >= 0 ? value.slice(marker + ':event-bus/'.length) : value;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const STATE_MACHINE_TYPES = new Set(['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine']);

/** ARN -> logical id for the template's functions, state machines and buses, to name rule targets. */
function arnIndex(template: LoadedTemplate): Map<string, { logicalId: string; type: string }> {
  const resolver = defaultResourceResolver(template);
  const index = new Map<string, { logicalId: string; type: string }>();
  for (const r of template.resources) {
    if (!FUNCTION_TYPES.has(r.type) && !STATE_MACHINE_TYPES.has(r.type) && r.type !== 'AWS::Events::EventBus') continue;
    try {
      const arn = resolver.getAtt(r.logicalId, 'Arn', r);
      if (typeof arn === 'string') index.set(arn, { logicalId: r.logicalId, type: r.type });
    } catch {
      // a type without an Arn attribute cannot be a target
    }
  }
  return index;
}

/** Every rule of the template, on any bus (callers keep those on the Serverlesspresso bus). */
export function rulesOf(app: App, template: LoadedTemplate): BusRule[] {
  const rules: BusRule[] = [];
  const arns = arnIndex(template);
  for (const r of template.resources) {
    if (r.type === 'AWS::Events::Rule') {
      if (r.properties.EventPattern === undefined) continue; // a schedule
      const written = typeof r.properties.EventBusName === 'string' ? r.properties.EventBusName : 'default';
      const targets = ((r.properties.Targets as Array<{ Arn?: unknown }> | undefined) ?? []).map((t): Target => {
        const arn = String(t.Arn);
        const known = arns.get(arn);
        return known ? { logicalId: known.logicalId, type: known.type, arn } : { arn };
      });
      rules.push({
        app,
        logicalId: r.logicalId,
        resource: r.logicalId,
        property: `Resources.${r.logicalId}.Properties.EventPattern`,
        busAsWritten: written,
        bus: busNameOf(written),
        pattern: r.properties.EventPattern,
        state: String(r.properties.State ?? 'ENABLED'),
        targets,
      });
    }
    for (const event of r.sam?.events ?? []) {
      if (event.kind !== 'rule') continue;
      const e = event as SamRuleEvent;
      if (e.pattern === undefined) continue; // Schedule
      const self = [...arns.entries()].find(([, v]) => v.logicalId === r.logicalId);
      rules.push({
        app,
        logicalId: e.ruleLogicalId,
        resource: r.logicalId,
        property: `Resources.${r.logicalId}.Properties.Events.${e.name}.Properties.Pattern`,
        busAsWritten: e.eventBusName,
        bus: busNameOf(e.eventBusName),
        pattern: e.pattern,
        state: e.state,
        targets: [{ logicalId: r.logicalId, type: r.type, arn: self?.[0] ?? r.physicalId }],
      });
    }
  }
  return rules;
}

/** The rules of the template on the Serverlesspresso bus. */
export function busRulesOf(app: App, template: LoadedTemplate): BusRule[] {
  return rulesOf(app, template).filter((r) => r.bus === BUS_NAME);
}

/**
 * Which events of the contract the rule matches: an entry matches when its example does, or a
 * variant of the example carrying the pattern's own values that the contract still accepts (a
 * family member with the tenant the rule names, a drink the rule filters on, ...).
 */
export function judgeRule(rule: BusRule): RuleVerdict {
  let compiled;
  try {
    compiled = compilePattern(typeof rule.pattern === 'string' ? rule.pattern : JSON.stringify(rule.pattern));
  } catch (e) {
    if (e instanceof InvalidEventPatternError) return { rule, invalid: e.message, matches: [] };
    throw e;
  }
  const pattern = typeof rule.pattern === 'string' ? (JSON.parse(rule.pattern) as unknown) : rule.pattern;
  const matches: RuleMatch[] = [];
  for (const entry of contract) {
    const hit = witnesses(entry, pattern).find((w) => compiled.matches(w));
    if (!hit) continue;
    const { condition, undeclaredOnly, liveOnly } = consumptionOf(entry, pattern);
    matches.push({
      entry,
      detailType: hit['detail-type'],
      event: hit,
      ...(condition !== undefined ? { condition } : {}),
      ...(undeclaredOnly ? { undeclaredOnly } : {}),
      ...(liveOnly ? { liveOnly } : {}),
    });
  }
  return { rule, matches };
}
