// Runs one execution of a state machine definition: the state loop, input/output processing (JSONPath
// and JSONata), variables, the Pass, Choice, Wait, Succeed and Fail states, Retry/Catch, and the
// history events the service records. The Task, Parallel and Map states live in their own modules
// (task-state.ts, parallel-state.ts, map-state.ts) and reach back here through StateHost. Knows
// nothing of HTTP or of any AWS service.

import { sleep } from './clock.js';
import { evaluateChoiceRule, parseTimestamp } from './choice.js';
import { ExecutionInterrupt, StatesError, StatesErrorName, errorMatches } from './errors.js';
import type {
  ExecutionEnvironment,
  MapItem,
  Scope,
  StateHost,
  StateOutcome,
  StateResult,
  StateRun,
} from './execution.js';
import { NOT_TRUNCATED, historyJson as json } from './history.js';
import type { HistoryThread, HistoryEventType } from './history.js';
import { evaluateJsonataExpression, evaluateJsonataTemplate, isJsonataExpression } from './jsonata.js';
import type { JsonataScope } from './jsonata.js';
import { runMap } from './map-state.js';
import { runParallel } from './parallel-state.js';
import {
  applyInputPath,
  applyOutputPath,
  applyResultPath,
  evaluateDollarField,
  evaluatePayloadTemplate,
  resolvePath,
  stringifyForCause,
} from './paths.js';
import type { PathEnv } from './paths.js';
import { runTask } from './task-state.js';
import type { CatcherDef, ChoiceRuleDef, JsonObject, JsonValue, MachineDef, QueryLanguage, StateDef } from './types.js';
import { VariableScope } from './variables.js';

export class ExecutionInterpreter implements StateHost {
  private readonly executionContext: JsonObject;
  private readonly stateMachineContext: JsonObject;
  private readonly defaultLanguage: QueryLanguage;

  constructor(
    private readonly machine: MachineDef,
    readonly env: ExecutionEnvironment,
  ) {
    this.executionContext = {
      Id: env.executionArn,
      Input: env.input,
      Name: env.executionName,
      RoleArn: env.roleArn,
      StartTime: new Date(env.startTime).toISOString(),
      RedriveCount: 0,
    };
    this.stateMachineContext = { Id: env.stateMachineArn, Name: env.stateMachineName };
    this.defaultLanguage = machine.QueryLanguage ?? 'JSONPath';
  }

  /** Runs the machine to its end: resolves with the output, rejects with a StatesError or ExecutionInterrupt. */
  async run(): Promise<JsonValue> {
    const vars = new VariableScope();
    if (this.env.variables) vars.assign(this.env.variables);
    const scope: Scope = {
      thread: { lastEventId: 0 },
      vars,
      signal: this.env.signal,
      queryLanguage: this.defaultLanguage,
    };
    return this.runBlock(this.machine, this.env.input, scope);
  }

  async runBlock(block: MachineDef, input: JsonValue, scope: Scope): Promise<JsonValue> {
    let name: string | undefined = block.StartAt;
    let data = input;
    for (;;) {
      if (scope.signal.aborted) throw new ExecutionInterrupt();
      const state: StateDef | undefined = block.States[name];
      if (!state) throw new StatesError(StatesErrorName.Runtime, `The state '${name}' does not exist`);
      const outcome = await this.runState(name, state, data, scope);
      if (outcome.next === undefined) return outcome.output;
      name = outcome.next;
      data = outcome.output;
    }
  }

  // ---- context, paths, JSONata ----------------------------------------------------------------

  private contextObject(c: StateRun, mapItem?: MapItem): JsonObject {
    const context: JsonObject = {
      Execution: this.executionContext,
      State: { EnteredTime: c.enteredTime, Name: c.name, RetryCount: c.retryCount },
      StateMachine: this.stateMachineContext,
    };
    if (c.taskToken !== undefined) context.Task = { Token: c.taskToken };
    if (mapItem) context.Map = { Item: mapItem };
    return context;
  }

  pathEnv(c: StateRun, mapItem?: MapItem): PathEnv {
    let context: JsonObject | undefined;
    return {
      context: () => (context ??= this.contextObject(c, mapItem)),
      variable: (name) => c.scope.vars.get(name),
    };
  }

  jsonataScope(c: StateRun, mapItem?: MapItem): JsonataScope {
    return { states: { input: c.raw, context: this.contextObject(c, mapItem) }, variables: c.scope.vars.visible() };
  }

  /** A JSONata state's Output (else `fallback`) and its Assign, both evaluated in `scope`. */
  private async jsonataOutputAndAssign(
    state: StateDef,
    scope: JsonataScope,
    fallback: JsonValue,
  ): Promise<{ output: JsonValue; assigned: Record<string, JsonValue> | undefined }> {
    const output = state.Output !== undefined ? await evaluateJsonataTemplate(state.Output, scope, 'Output') : fallback;
    const assigned = state.Assign ? await this.assignJsonata(state.Assign, scope) : undefined;
    return { output, assigned };
  }

  private async assignJsonata(assign: JsonObject, scope: JsonataScope): Promise<Record<string, JsonValue>> {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(assign))
      out[key] = await evaluateJsonataTemplate(assign[key] as JsonValue, scope, `Assign.${key}`);
    return out;
  }

  private assignJsonPath(assign: JsonObject, data: JsonValue, c: StateRun): Record<string, JsonValue> {
    return evaluatePayloadTemplate(assign, data, this.pathEnv(c)) as Record<string, JsonValue>;
  }

  /** A JSONata field that is a number or an expression yielding one (TimeoutSeconds, Seconds...). */
  async jsonataNumber(
    value: number | string | undefined,
    scope: JsonataScope,
    field: string,
  ): Promise<number | undefined> {
    if (value === undefined) return undefined;
    const result =
      typeof value === 'string' && isJsonataExpression(value)
        ? await evaluateJsonataExpression(value, scope, field)
        : value;
    if (typeof result !== 'number') {
      throw new StatesError(
        StatesErrorName.QueryEvaluationError,
        `The field '${field}' must evaluate to a number, but got ${stringifyForCause(result)}`,
      );
    }
    return result;
  }

  /** TimeoutSeconds/HeartbeatSeconds of a JSONPath state: a literal or a *Path into the effective input. */
  pathSeconds(
    literal: number | string | undefined,
    path: string | undefined,
    input: JsonValue,
    env: PathEnv,
    field: string,
  ): number | undefined {
    if (typeof literal === 'number') return literal;
    if (path === undefined) return undefined;
    const result = resolvePath(path, input, env);
    if (!result.found)
      throw new StatesError(StatesErrorName.Runtime, `Invalid path '${path}' : No results for path: ${path}`);
    if (typeof result.value !== 'number' || !Number.isInteger(result.value) || result.value < 0) {
      throw new StatesError(
        StatesErrorName.Runtime,
        `The value of '${field}' at '${path}' must be a non-negative integer, but got ${stringifyForCause(result.value)}`,
      );
    }
    return result.value;
  }

  // ---- states --------------------------------------------------------------------------------

  private async runState(name: string, state: StateDef, raw: JsonValue, scope: Scope): Promise<StateOutcome> {
    const history = this.env.history;
    const type = state.Type;
    const c: StateRun = {
      name,
      state,
      raw,
      scope,
      jsonata: (state.QueryLanguage ?? scope.queryLanguage) === 'JSONata',
      enteredEventId: 0,
      enteredTime: new Date(this.env.clock.now()).toISOString(),
      retryCount: 0,
      taskToken: undefined,
    };
    c.enteredEventId = history.add(scope.thread, `${type}StateEntered` as HistoryEventType, {
      stateEnteredEventDetails: { name, input: json(raw), inputDetails: NOT_TRUNCATED },
    });
    // A resumed execution sees the time the state was entered before the restart.
    c.enteredTime = new Date(history.timeOf(c.enteredEventId)).toISOString();
    let outcome: StateOutcome;
    try {
      outcome = await this.dispatch(c);
      if (outcome.assigned) scope.vars.assign(outcome.assigned);
    } catch (e) {
      if (e instanceof StatesError && e.stateName === undefined) {
        e.stateName = name;
        e.enteredEventId = c.enteredEventId;
      }
      throw e;
    }
    const assignedVariables = outcome.assigned
      ? {
          assignedVariables: Object.fromEntries(Object.entries(outcome.assigned).map(([k, v]) => [k, json(v)])),
          assignedVariablesDetails: NOT_TRUNCATED,
        }
      : {};
    history.add(scope.thread, `${type}StateExited` as HistoryEventType, {
      stateExitedEventDetails: {
        name,
        output: json(outcome.output),
        outputDetails: NOT_TRUNCATED,
        ...assignedVariables,
      },
    });
    return outcome;
  }

  private dispatch(c: StateRun): Promise<StateOutcome> {
    switch (c.state.Type) {
      case 'Pass':
        return this.runPass(c);
      case 'Choice':
        return this.runChoice(c);
      case 'Wait':
        return this.runWait(c);
      case 'Succeed':
        return this.runSucceed(c);
      case 'Fail':
        return this.runFail(c);
      case 'Task':
        return this.withErrorHandling(c, () => runTask(this, c));
      case 'Parallel':
        return this.withErrorHandling(c, () => runParallel(this, c));
      case 'Map':
        return this.withErrorHandling(c, () => runMap(this, c));
      default:
        throw new StatesError(
          StatesErrorName.Runtime,
          `Unsupported state type '${String((c.state as { Type: unknown }).Type)}'`,
        );
    }
  }

  private next(c: StateRun): string | undefined {
    return c.state.End === true ? undefined : c.state.Next;
  }

  private async runPass(c: StateRun): Promise<StateOutcome> {
    const { state } = c;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      return { ...(await this.jsonataOutputAndAssign(state, scope, c.raw)), next: this.next(c) };
    }
    const env = this.pathEnv(c);
    const effective = applyInputPath(c.raw, state.InputPath, env);
    const result =
      state.Parameters !== undefined
        ? evaluatePayloadTemplate(state.Parameters, effective, env)
        : state.Result !== undefined
          ? state.Result
          : effective;
    const assigned = state.Assign ? this.assignJsonPath(state.Assign, result, c) : undefined;
    const output = applyOutputPath(applyResultPath(c.raw, result, state.ResultPath), state.OutputPath, env);
    return { output, assigned, next: this.next(c) };
  }

  private async runSucceed(c: StateRun): Promise<StateOutcome> {
    if (c.jsonata) {
      const output =
        c.state.Output !== undefined
          ? await evaluateJsonataTemplate(c.state.Output, this.jsonataScope(c), 'Output')
          : c.raw;
      return { output, next: undefined };
    }
    const env = this.pathEnv(c);
    return {
      output: applyOutputPath(applyInputPath(c.raw, c.state.InputPath, env), c.state.OutputPath, env),
      next: undefined,
    };
  }

  private async runFail(c: StateRun): Promise<StateOutcome> {
    const { state } = c;
    let error: JsonValue | undefined = state.Error;
    let cause: JsonValue | undefined = state.Cause;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      if (isJsonataExpression(error)) error = await evaluateJsonataExpression(error, scope, 'Error');
      if (isJsonataExpression(cause)) cause = await evaluateJsonataExpression(cause, scope, 'Cause');
    } else {
      const env = this.pathEnv(c);
      if (state.ErrorPath !== undefined) error = evaluateDollarField(state.ErrorPath, 'ErrorPath', c.raw, env);
      if (state.CausePath !== undefined) cause = evaluateDollarField(state.CausePath, 'CausePath', c.raw, env);
    }
    for (const [field, value] of [
      ['Error', error],
      ['Cause', cause],
    ] as const) {
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw new StatesError(
          StatesErrorName.Runtime,
          `The value of the Fail state's ${field} must be a string, but got ${stringifyForCause(value)}`,
        );
      }
    }
    throw new StatesError(typeof error === 'string' ? error : '', typeof cause === 'string' ? cause : undefined);
  }

  private async runChoice(c: StateRun): Promise<StateOutcome> {
    const { state } = c;
    const rules = state.Choices ?? [];
    let matched: ChoiceRuleDef | undefined;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      for (const rule of rules) {
        const condition = isJsonataExpression(rule.Condition)
          ? await evaluateJsonataExpression(rule.Condition, scope, 'Condition')
          : rule.Condition;
        if (typeof condition !== 'boolean') {
          throw new StatesError(
            StatesErrorName.QueryEvaluationError,
            `The Condition ${JSON.stringify(rule.Condition)} must evaluate to a boolean, but got ${stringifyForCause(condition)}`,
          );
        }
        if (condition) {
          matched = rule;
          break;
        }
      }
      const next = this.choiceNext(c, matched);
      const source = matched ?? state;
      const output =
        source.Output !== undefined ? await evaluateJsonataTemplate(source.Output, scope, 'Output') : c.raw;
      const assigned = source.Assign ? await this.assignJsonata(source.Assign, scope) : undefined;
      return { output, assigned, next };
    }
    const env = this.pathEnv(c);
    const effective = applyInputPath(c.raw, state.InputPath, env);
    matched = rules.find((rule) => evaluateChoiceRule(rule, effective, env));
    const next = this.choiceNext(c, matched);
    const assign = matched ? matched.Assign : state.Assign;
    const assigned = assign ? this.assignJsonPath(assign, effective, c) : undefined;
    return { output: applyOutputPath(effective, state.OutputPath, env), assigned, next };
  }

  private choiceNext(c: StateRun, matched: ChoiceRuleDef | undefined): string {
    const next = matched?.Next ?? c.state.Default;
    if (next === undefined) {
      throw new StatesError(
        StatesErrorName.NoChoiceMatched,
        `No Choice Rule matched and no Default is specified in the state '${c.name}' for the input ${json(c.raw)}`,
      );
    }
    return next;
  }

  private async runWait(c: StateRun): Promise<StateOutcome> {
    const { state } = c;
    // A Wait entered before a restart waits only what remains of it.
    const since = this.env.history.recordedBeforeRestart(c.enteredEventId) ? Date.parse(c.enteredTime) : undefined;
    const now = since ?? this.env.clock.now();
    let waitMs = 0;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      if (state.Seconds !== undefined) {
        const seconds = (await this.jsonataNumber(state.Seconds, scope, 'Seconds')) ?? 0;
        if (!Number.isInteger(seconds) || seconds < 0)
          throw new StatesError(
            StatesErrorName.QueryEvaluationError,
            `The field 'Seconds' must be a non-negative integer, but got ${seconds}`,
          );
        waitMs = seconds * 1000;
      } else if (state.Timestamp !== undefined) {
        const value = isJsonataExpression(state.Timestamp)
          ? await evaluateJsonataExpression(state.Timestamp, scope, 'Timestamp')
          : state.Timestamp;
        const at = parseTimestamp(value);
        if (at === undefined)
          throw new StatesError(
            StatesErrorName.QueryEvaluationError,
            `The field 'Timestamp' must be an ISO-8601 timestamp, but got ${stringifyForCause(value)}`,
          );
        waitMs = at - now;
      }
      await this.wait(c, waitMs, since);
      const after = this.jsonataScope(c);
      return { ...(await this.jsonataOutputAndAssign(state, after, c.raw)), next: this.next(c) };
    }
    const env = this.pathEnv(c);
    const effective = applyInputPath(c.raw, state.InputPath, env);
    if (typeof state.Seconds === 'number') {
      waitMs = state.Seconds * 1000;
    } else if (state.SecondsPath !== undefined) {
      waitMs = (this.pathSeconds(undefined, state.SecondsPath, effective, env, 'SecondsPath') ?? 0) * 1000;
    } else if (state.Timestamp !== undefined || state.TimestampPath !== undefined) {
      let value: JsonValue | undefined = state.Timestamp;
      if (state.TimestampPath !== undefined) {
        const result = resolvePath(state.TimestampPath, effective, env);
        if (!result.found)
          throw new StatesError(
            StatesErrorName.Runtime,
            `Invalid path '${state.TimestampPath}' : No results for path: ${state.TimestampPath}`,
          );
        value = result.value;
      }
      const at = parseTimestamp(value);
      if (at === undefined)
        throw new StatesError(
          StatesErrorName.Runtime,
          `The Wait state's timestamp ${stringifyForCause(value)} is not an ISO-8601 timestamp`,
        );
      waitMs = at - now;
    }
    await this.wait(c, waitMs, since);
    const assigned = state.Assign ? this.assignJsonPath(state.Assign, effective, c) : undefined;
    return { output: applyOutputPath(effective, state.OutputPath, env), assigned, next: this.next(c) };
  }

  /**
   * Waits `machineMs`, or, for a wait that began before a restart (at `since`, epoch ms), what
   * remains of it; one that a resumed execution had already finished before the restart (its next
   * event recorded) is not waited at all.
   */
  private wait(c: StateRun, machineMs: number, since?: number): Promise<void> {
    const { clock, history } = this.env;
    if (history.peek(c.scope.thread)) return Promise.resolve();
    const remaining = since === undefined ? machineMs : machineMs - Math.max(0, clock.now() - since) * clock.speed;
    if (remaining <= 0) return Promise.resolve();
    return sleep(clock, remaining, c.scope.signal, () => new ExecutionInterrupt());
  }

  // ---- Retry and Catch -----------------------------------------------------------------------

  private async withErrorHandling(c: StateRun, attempt: () => Promise<StateResult>): Promise<StateOutcome> {
    const retriers = c.state.Retry ?? [];
    const attempts = retriers.map(() => 0);
    for (;;) {
      try {
        const result = await attempt();
        return { ...result, next: this.next(c) };
      } catch (e) {
        if (!(e instanceof StatesError) || e.terminal) throw e;
        // When the failure was recorded before a restart, its retry interval counts from then.
        const failedAt = this.env.history.replayedTime;
        const index = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, e));
        const retrier = retriers[index];
        if (retrier && (attempts[index] ?? 0) < (retrier.MaxAttempts ?? 3)) {
          const made = attempts[index] ?? 0;
          attempts[index] = made + 1;
          let delaySeconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** made;
          if (retrier.MaxDelaySeconds !== undefined) delaySeconds = Math.min(delaySeconds, retrier.MaxDelaySeconds);
          if (retrier.JitterStrategy === 'FULL') delaySeconds *= this.env.random();
          await this.wait(c, delaySeconds * 1000, failedAt);
          c.retryCount++;
          continue;
        }
        const catcher = (c.state.Catch ?? []).find((k) => errorMatches(k.ErrorEquals, e));
        if (!catcher) throw e;
        return this.applyCatcher(c, catcher, e);
      }
    }
  }

  private async applyCatcher(c: StateRun, catcher: CatcherDef, error: StatesError): Promise<StateOutcome> {
    const errorOutput = error.toErrorOutput() as JsonObject;
    c.taskToken = undefined;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      scope.states.errorOutput = errorOutput;
      const output =
        catcher.Output !== undefined ? await evaluateJsonataTemplate(catcher.Output, scope, 'Output') : errorOutput;
      const assigned = catcher.Assign ? await this.assignJsonata(catcher.Assign, scope) : undefined;
      return { output, assigned, next: catcher.Next };
    }
    const assigned = catcher.Assign ? this.assignJsonPath(catcher.Assign, errorOutput, c) : undefined;
    const output = applyResultPath(c.raw, errorOutput, catcher.ResultPath === undefined ? '$' : catcher.ResultPath);
    return { output, assigned, next: catcher.Next };
  }

  /** The tail shared by Task, Parallel and Map: ResultSelector, Assign, ResultPath, OutputPath (or Output). */
  async finishWithResult(c: StateRun, result: JsonValue): Promise<StateResult> {
    const { state } = c;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      scope.states.result = result;
      return this.jsonataOutputAndAssign(state, scope, result);
    }
    const env = this.pathEnv(c);
    const selected =
      state.ResultSelector !== undefined ? evaluatePayloadTemplate(state.ResultSelector, result, env) : result;
    const assigned = state.Assign ? this.assignJsonPath(state.Assign, selected, c) : undefined;
    const output = applyOutputPath(applyResultPath(c.raw, selected, state.ResultPath), state.OutputPath, env);
    return { output, assigned };
  }

  /** A Parallel branch's or Map iteration's scope (StateHost). */
  childScope(parent: Scope, thread: HistoryThread, signal: AbortSignal, language: QueryLanguage | undefined): Scope {
    return { thread, vars: new VariableScope(parent.vars), signal, queryLanguage: language ?? this.defaultLanguage };
  }
}
