// Definition checks at create time: asl-validator's schema and graph checks, then ours, which name
// the state and the field ("State 'Foo': Next 'Bar' does not exist") and cover what the schema
// can't (targets within the right States block, retrier order, query-language field mixing...).

// The ambient types must come along when another workspace type-checks this file through its imports.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./asl-validator.d.ts" />
import aslValidator from 'asl-validator';
import { CHOICE_OPERATORS } from './choice.js';
import { parseIntrinsic } from './intrinsics.js';
import { checkJsonataSyntax, isJsonataExpression } from './jsonata.js';
import { isJsonObject } from './types.js';
import type { ChoiceRuleDef, JsonValue, MachineDef, QueryLanguage, StateDef } from './types.js';
import { isValidVariableName } from './variables.js';

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export interface ValidationOptions {
  /** Check that Task resources are ARNs (asl-validator's ARN check). Default true. */
  checkArn?: boolean;
  /**
   * Run asl-validator's JSON-schema checks (default true). They cost tens of milliseconds per
   * definition (asl-validator compiles its schemas on every call); our own checks stay on either way.
   */
  schema?: boolean;
}

const JSONPATH_ONLY_FIELDS = [
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultSelector',
  'ResultPath',
  'ItemsPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'SecondsPath',
  'TimestampPath',
  'ErrorPath',
  'CausePath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
] as const;
const JSONATA_ONLY_FIELDS = ['Arguments', 'Output', 'Items'] as const;

/** Parses a definition given as JSON text (or passes an object through). */
export function parseDefinition(definition: string | object): MachineDef {
  const parsed = typeof definition === 'string' ? (JSON.parse(definition) as unknown) : definition;
  if (!isJsonObject(parsed)) throw new SyntaxError('the definition is not a JSON object');
  return parsed as unknown as MachineDef;
}

export function validateDefinition(definition: string | object, options: ValidationOptions = {}): ValidationResult {
  let machine: MachineDef;
  try {
    machine = parseDefinition(definition);
  } catch (e) {
    return { valid: false, errors: [`INVALID_JSON_DESCRIPTION: ${(e as Error).message}`] };
  }
  const errors: string[] = [];
  const withSchema = options.schema ?? true;
  if (withSchema) {
    const schema = aslValidator(schemaView(structuredClone(machine)), {
      checkPaths: true,
      checkArn: options.checkArn ?? true,
    });
    for (const error of schema.errors) errors.push(`${error['Error code']}: ${error.Message}`);
  }
  if (
    isJsonObject(machine as unknown) &&
    typeof machine.StartAt === 'string' &&
    isJsonObject(machine.States as unknown)
  ) {
    checkBlock(
      machine,
      machine.QueryLanguage ?? 'JSONPath',
      machine.QueryLanguage ?? 'JSONPath',
      '',
      errors,
      !withSchema,
    );
  } else if (!withSchema) {
    errors.push('SCHEMA_VALIDATION_FAILED: a definition needs StartAt and States');
  }
  return { valid: errors.length === 0, errors: [...new Set(errors)] };
}

/**
 * What asl-validator's schema sees: its JSONata rules are stricter than Step Functions' (a
 * `{% %}` expression must fit on one line, a literal string must be non-empty and fit on one line,
 * arrays in Assign may not nest, Output may not be a literal string, number or array, a Condition
 * may not be a constant true or false). AWS takes any JSON value in Output, Arguments and Assign
 * ("The output field accepts any JSON value (object, array, string, number, boolean, null)",
 * Transforming data with JSONata in Step Functions) and a boolean Condition. So in JSONata states
 * those fields reach the schema as neutral values, and our own checks (checkJsonataFields) check
 * every expression in them. In JSONPath states, "" becomes " " in Arguments, Output and Assign.
 */
function schemaView(machine: MachineDef): MachineDef {
  const fill = (value: unknown): unknown => {
    if (value === '') return ' ';
    if (Array.isArray(value)) return value.map(fill);
    if (isJsonObject(value as JsonValue))
      return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const neutral = (holder: Record<string, unknown>): void => {
    for (const field of ['Output', 'Arguments', 'Assign'] as const) if (holder[field] !== undefined) holder[field] = {};
  };
  const visit = (block: unknown, inherited: QueryLanguage): void => {
    if (!isJsonObject(block as JsonValue)) return;
    const blockLanguage = ((block as { QueryLanguage?: QueryLanguage }).QueryLanguage ?? inherited) as QueryLanguage;
    for (const state of Object.values(
      ((block as { States?: unknown }).States ?? {}) as Record<string, Record<string, unknown>>,
    )) {
      if (!isJsonObject(state as JsonValue)) continue;
      const language = (state.QueryLanguage ?? blockLanguage) as QueryLanguage;
      if (language === 'JSONata') {
        neutral(state);
        for (const list of [state.Choices, state.Catch])
          if (Array.isArray(list))
            for (const entry of list as unknown[]) {
              if (!isJsonObject(entry as JsonValue)) continue;
              const rule = entry as Record<string, unknown>;
              neutral(rule);
              if (typeof rule.Condition === 'boolean' || isJsonataExpression(rule.Condition))
                rule.Condition = '{% true %}';
            }
      } else {
        for (const field of ['Arguments', 'Output', 'Assign'] as const)
          if (state[field] !== undefined) state[field] = fill(state[field]);
      }
      // A nested block's states default to the machine's language, as checkBlock reads them.
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) visit(branch, top);
      visit(state.ItemProcessor ?? state.Iterator, top);
    }
  };
  const top = machine.QueryLanguage ?? 'JSONPath';
  visit(machine, top);
  return machine;
}

/** Every "{% %}" expression of a JSONata state's templated fields must parse (the schema no longer sees them). */
function checkJsonataFields(prefix: string, state: StateDef, errors: string[]): void {
  const visit = (value: unknown, field: string): void => {
    if (isJsonataExpression(value)) {
      const problem = checkJsonataSyntax(value);
      if (problem !== undefined)
        errors.push(`${prefix}: ${field}: ${JSON.stringify(value)} is not a valid JSONata expression (${problem})`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${field}[${i}]`));
    } else if (isJsonObject(value as JsonValue)) {
      for (const [key, inner] of Object.entries(value as object)) visit(inner, `${field}.${key}`);
    }
  };
  const fields = state as unknown as Record<string, unknown>;
  for (const field of ['Output', 'Arguments', 'Assign'] as const) visit(fields[field], field);
  for (const [i, rule] of (state.Choices ?? []).entries()) {
    if (!isJsonObject(rule as unknown)) continue;
    visit(rule.Condition, `Choices[${i}].Condition`);
    visit(rule.Output, `Choices[${i}].Output`);
    visit(rule.Assign, `Choices[${i}].Assign`);
  }
  for (const [i, catcher] of (state.Catch ?? []).entries()) {
    if (!isJsonObject(catcher as unknown)) continue;
    visit(catcher.Output, `Catch[${i}].Output`);
    visit(catcher.Assign, `Catch[${i}].Assign`);
  }
}

/** States no transition leads to (the schema check reports these too, when it runs). */
function unreachableStates(block: MachineDef): string[] {
  const seen = new Set<string>();
  const queue = [block.StartAt];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const state = block.States[name];
    if (seen.has(name) || !isJsonObject(state as unknown)) continue;
    seen.add(name);
    const targets = [
      state?.Next,
      state?.Default,
      ...(state?.Choices ?? []).map((rule) => rule.Next),
      ...(state?.Catch ?? []).map((c) => c.Next),
    ];
    for (const target of targets) if (typeof target === 'string') queue.push(target);
  }
  return Object.keys(block.States).filter((name) => !seen.has(name));
}

function checkBlock(
  block: MachineDef,
  topLanguage: QueryLanguage,
  blockLanguage: QueryLanguage,
  where: string,
  errors: string[],
  reachability: boolean,
): void {
  const names = new Set(Object.keys(block.States));
  if (reachability)
    for (const name of unreachableStates(block)) errors.push(`State '${name}' is not reachable${where}`);
  const target = (state: string, field: string, next: unknown): void => {
    if (typeof next === 'string' && !names.has(next))
      errors.push(`State '${state}': ${field} '${next}' does not exist${where}`);
  };
  if (!names.has(block.StartAt)) errors.push(`StartAt '${block.StartAt}' does not exist${where}`);
  for (const [name, state] of Object.entries(block.States)) {
    if (!isJsonObject(state as unknown)) continue;
    const language = state.QueryLanguage ?? blockLanguage;
    const prefix = `State '${name}'`;
    if (topLanguage === 'JSONata' && state.QueryLanguage === 'JSONPath') {
      errors.push(
        `${prefix}: QueryLanguage 'JSONPath' is not allowed when the state machine's QueryLanguage is 'JSONata'`,
      );
    }
    checkLanguageFields(prefix, state, language, errors);
    target(name, 'Next', state.Next);
    if (
      state.Type !== 'Choice' &&
      state.Type !== 'Succeed' &&
      state.Type !== 'Fail' &&
      state.Next === undefined &&
      state.End !== true
    ) {
      errors.push(`${prefix}: needs either Next or End: true`);
    }
    for (const [i, catcher] of (state.Catch ?? []).entries()) target(name, `Catch[${i}].Next`, catcher.Next);
    checkErrorEquals(prefix, 'Retry', state.Retry, errors);
    checkErrorEquals(prefix, 'Catch', state.Catch, errors);
    checkAssign(prefix, 'Assign', state.Assign, errors);
    for (const [i, catcher] of (state.Catch ?? []).entries())
      checkAssign(prefix, `Catch[${i}].Assign`, catcher.Assign, errors);
    if (language === 'JSONPath') checkIntrinsics(prefix, state, errors);
    else checkJsonataFields(prefix, state, errors);
    switch (state.Type) {
      case 'Task':
        if (typeof state.Resource !== 'string') errors.push(`${prefix}: Resource must be a string`);
        if (
          typeof state.TimeoutSeconds === 'number' &&
          typeof state.HeartbeatSeconds === 'number' &&
          state.HeartbeatSeconds >= state.TimeoutSeconds
        ) {
          errors.push(
            `${prefix}: HeartbeatSeconds (${state.HeartbeatSeconds}) must be smaller than TimeoutSeconds (${state.TimeoutSeconds})`,
          );
        }
        break;
      case 'Choice':
        target(name, 'Default', state.Default);
        if (!Array.isArray(state.Choices) || state.Choices.length === 0)
          errors.push(`${prefix}: Choices must be a non-empty array`);
        for (const [i, rule] of (state.Choices ?? []).entries()) {
          target(name, `Choices[${i}].Next`, rule.Next);
          if (typeof rule.Next !== 'string') errors.push(`${prefix}: Choices[${i}] needs a Next`);
          checkAssign(prefix, `Choices[${i}].Assign`, rule.Assign, errors);
          checkRule(prefix, `Choices[${i}]`, rule, language, errors);
        }
        break;
      case 'Parallel':
        for (const [i, branch] of (state.Branches ?? []).entries()) {
          if (isJsonObject(branch as unknown) && isJsonObject(branch.States as unknown)) {
            checkBlock(
              branch,
              topLanguage,
              branch.QueryLanguage ?? topLanguage,
              ` (in Branches[${i}] of '${name}')`,
              errors,
              reachability,
            );
          }
        }
        break;
      case 'Map': {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (state.ItemProcessor !== undefined && state.Iterator !== undefined)
          errors.push(`${prefix}: ItemProcessor and Iterator are mutually exclusive`);
        if (!processor) errors.push(`${prefix}: needs an ItemProcessor`);
        else if (isJsonObject(processor as unknown) && isJsonObject(processor.States as unknown)) {
          checkBlock(
            processor,
            topLanguage,
            processor.QueryLanguage ?? topLanguage,
            ` (in the ItemProcessor of '${name}')`,
            errors,
            reachability,
          );
        }
        break;
      }
      default:
        break;
    }
  }
}

function checkLanguageFields(prefix: string, state: StateDef, language: QueryLanguage, errors: string[]): void {
  const fields = state as unknown as Record<string, unknown>;
  if (language === 'JSONata') {
    for (const field of JSONPATH_ONLY_FIELDS) {
      if (fields[field] !== undefined)
        errors.push(
          `${prefix}: the field '${field}' is not supported in JSONata states (use Arguments, Output or Items)`,
        );
    }
  } else {
    for (const field of JSONATA_ONLY_FIELDS) {
      if (fields[field] !== undefined)
        errors.push(`${prefix}: the field '${field}' is only supported in JSONata states`);
    }
    for (const field of [
      'TimeoutSeconds',
      'HeartbeatSeconds',
      'Seconds',
      'MaxConcurrency',
      'ToleratedFailureCount',
      'ToleratedFailurePercentage',
    ] as const) {
      if (typeof fields[field] === 'string')
        errors.push(`${prefix}: the field '${field}' must be a number in JSONPath states (use ${field}Path)`);
    }
  }
}

function checkErrorEquals(
  prefix: string,
  field: 'Retry' | 'Catch',
  list: { ErrorEquals: string[] }[] | undefined,
  errors: string[],
): void {
  if (!list) return;
  list.forEach((entry, i) => {
    const names = Array.isArray(entry.ErrorEquals) ? entry.ErrorEquals : [];
    if (names.length === 0) errors.push(`${prefix}: ${field}[${i}].ErrorEquals must be a non-empty array`);
    if (names.includes('States.ALL') && names.length > 1)
      errors.push(`${prefix}: ${field}[${i}].ErrorEquals: States.ALL must appear alone`);
    if (names.includes('States.ALL') && i !== list.length - 1)
      errors.push(
        `${prefix}: ${field}[${i}]: States.ALL must be in the last ${field === 'Retry' ? 'retrier' : 'catcher'}`,
      );
  });
}

function checkAssign(prefix: string, field: string, assign: unknown, errors: string[]): void {
  if (assign === undefined) return;
  if (!isJsonObject(assign)) {
    errors.push(`${prefix}: ${field} must be an object`);
    return;
  }
  for (const key of Object.keys(assign)) {
    const name = key.endsWith('.$') ? key.slice(0, -2) : key;
    if (!isValidVariableName(name)) errors.push(`${prefix}: ${field}: '${name}' is not a valid variable name`);
  }
}

function checkRule(
  prefix: string,
  where: string,
  rule: ChoiceRuleDef,
  language: QueryLanguage,
  errors: string[],
): void {
  if (!isJsonObject(rule as unknown)) {
    errors.push(`${prefix}: ${where} must be an object`);
    return;
  }
  if (language === 'JSONata') {
    if (rule.Condition === undefined) errors.push(`${prefix}: ${where} needs a Condition`);
    else if (typeof rule.Condition !== 'boolean' && !isJsonataExpression(rule.Condition))
      errors.push(`${prefix}: ${where}.Condition must be a boolean or a {% %} expression`);
    return;
  }
  if (rule.Condition !== undefined) errors.push(`${prefix}: ${where}.Condition is only supported in JSONata states`);
  if (Array.isArray(rule.And) || Array.isArray(rule.Or)) {
    for (const [i, clause] of (rule.And ?? rule.Or ?? []).entries())
      checkRule(prefix, `${where}.${rule.And ? 'And' : 'Or'}[${i}]`, clause, language, errors);
    return;
  }
  if (rule.Not !== undefined) {
    checkRule(prefix, `${where}.Not`, rule.Not, language, errors);
    return;
  }
  const operators = Object.keys(rule).filter((key) => CHOICE_OPERATORS.includes(key));
  if (operators.length !== 1)
    errors.push(`${prefix}: ${where} needs exactly one comparison operator (found ${operators.length})`);
  if (typeof rule.Variable !== 'string') errors.push(`${prefix}: ${where} needs a Variable`);
}

function checkIntrinsics(prefix: string, state: StateDef, errors: string[]): void {
  const visit = (value: JsonValue | undefined, field: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${field}[${i}]`));
    if (!isJsonObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key.endsWith('.$') && typeof inner === 'string' && inner.startsWith('States.')) {
        try {
          parseIntrinsic(inner);
        } catch (e) {
          errors.push(`${prefix}: ${field}.${key}: ${(e as Error).message}`);
        }
      } else {
        visit(inner, `${field}.${key}`);
      }
    }
  };
  visit(state.Parameters, 'Parameters');
  visit(state.ResultSelector, 'ResultSelector');
  visit(state.ItemSelector, 'ItemSelector');
  visit(state.Assign, 'Assign');
}
