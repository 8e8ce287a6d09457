// The checker's checks, by stable id: `<rule>.<what>`. A violation names its id, a template may
// waive a check by its id (waivers.ts), and each id is documented once, with its fix, in the
// checker's README (a test keeps that table and this list the same).
import type { RuleId } from './violation.js';

export interface CheckInfo {
  rule: RuleId;
  /** What it checks, in a few words (the README says more, with the fix). */
  title: string;
  /** Whether a template may waive it: not the checks that make the others possible. */
  waivable: boolean;
  /** Run by rule 3 on the local cloud (`presso check --isolation`), not by reading the template. */
  isolation?: boolean;
}

export const CHECKS = {
  'template.loads': { rule: 'template', title: 'the template loads', waivable: false },
  'meta.extension-json': {
    rule: 'meta',
    title: 'extension.json is valid and agrees with the template',
    waivable: false,
  },
  'meta.waiver': { rule: 'meta', title: 'every waiver names a check and says why', waivable: false },
  '1.own-resources': {
    rule: 1,
    title: 'no import, literal ARN or name of another app',
    waivable: true,
  },
  '1.scoped-policy': { rule: 1, title: 'every permission on its own resources', waivable: true },
  '1.bus-by-name': { rule: 1, title: 'the bus by its name, never its ARN', waivable: true },
  '1.put-events-condition': {
    rule: 1,
    title: 'every PutEvents permission limited to its own detail-types and the source (IAM conditions)',
    waivable: true,
  },
  '1.own-targets': { rule: 1, title: 'rules deliver to its own resources', waivable: true },
  '1.no-shared-bus': { rule: 1, title: 'does not create the shared bus', waivable: true },
  '1.runtime-permissions': {
    rule: 1,
    title: 'every call it makes at run time is allowed by its own policies (run by rule 3 under IAM enforce)',
    waivable: true,
    isolation: true,
  },
  '2.routes-contract-event': {
    rule: 2,
    title: 'a rule on the bus, every rule valid and matching an event of the contract',
    waivable: true,
  },
  '2.emits-contract-event': {
    rule: 2,
    title: 'what it declares it puts is in the contract, its code and its policies',
    waivable: true,
  },
  '2.emits-declared': {
    rule: 2,
    title: 'every event it puts is declared (run by rule 3)',
    waivable: true,
    isolation: true,
  },
  '2.emits-valid': {
    rule: 2,
    title: 'every event it puts is valid under its schema (run by rule 3)',
    waivable: true,
    isolation: true,
  },
  '3.deploys-alone': {
    rule: 3,
    title: 'deploys, settles and deletes alone, leaving nothing',
    waivable: true,
    isolation: true,
  },
  '3.core-unchanged': {
    rule: 3,
    title: "the core's tables and configuration unchanged",
    waivable: true,
    isolation: true,
  },
  // presso lint: the template deploys on AWS (lint/).
  'lint.schema': {
    rule: 'lint',
    title: "every resource of a type CloudFormation knows, its properties as the type's schema says",
    waivable: false,
  },
  'lint.references': {
    rule: 'lint',
    title: 'Ref, DependsOn and Fn::GetAtt name what exists',
    waivable: false,
  },
  'lint.iam-action': { rule: 'lint', title: 'every IAM action exists', waivable: false },
  'lint.iam-resource': { rule: 'lint', title: 'every resource ARN of a type its actions take', waivable: false },
  'lint.log-retention': { rule: 'lint', title: "each function's log group declared with a retention", waivable: true },
  'lint.tracing': { rule: 'lint', title: 'tracing on for functions and state machines', waivable: true },
  'lint.wildcard-resource': {
    rule: 'lint',
    title: 'no "*" resource where the action takes a resource type',
    waivable: true,
  },
} as const satisfies Record<string, CheckInfo>;

export type CheckId = keyof typeof CHECKS;

export const isCheckId = (id: unknown): id is CheckId => typeof id === 'string' && Object.hasOwn(CHECKS, id);
