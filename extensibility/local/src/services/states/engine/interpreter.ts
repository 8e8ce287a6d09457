// Runs one execution of a state machine definition: states, input/output processing (JSONPath and
// JSONata), variables, Retry/Catch, Parallel/Map, tasks through the injected TaskRunner with the
// callback (.waitForTaskToken) pattern, timeouts and heartbeats on the engine's clock, and the
// history events the service records. Knows nothing of HTTP or of any AWS service.

import { sleep } from './clock.js';
import type { EngineClock, TimerHandle } from './clock.js';
import { evaluateChoiceRule, parseTimestamp } from './choice.js';
import { ABORTED, ExecutionInterrupt, StatesError, StatesErrorName, errorMatches, toStatesError } from './errors.js';
import { NOT_TRUNCATED } from './history.js';
import type { HistoryRecorder, HistoryThread, HistoryEventType } from './history.js';
import { evaluateJsonataExpression, evaluateJsonataTemplate, isJsonataExpression } from './jsonata.js';
import type { JsonataScope } from './jsonata.js';
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
import type { CatcherDef, ChoiceRuleDef, JsonObject, JsonValue, MachineDef, QueryLanguage, StateDef } from './types.js';
import { VariableScope } from './variables.js';

export type IntegrationPattern = 'request-response' | 'sync' | 'callback';

/** What a TaskRunner learns about the task it runs. */
export interface TaskContext {
  /** The task token, for the callback pattern (resources ending in ".waitForTaskToken"). */
  taskToken?: string;
  stateName: string;
  executionArn: string;
  stateMachineArn: string;
  /** Aborted when the task no longer matters (timed out, execution stopped, or settled by callback). */
  signal: AbortSignal;
  /** request-response, sync (".sync", ".sync:2": the runner waits for the job) or callback. */
  integrationPattern: IntegrationPattern;
  /** Resets the heartbeat timer (a .sync runner polling a long job calls it while it makes progress). */
  heartbeat(): void;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  region: string;
  accountId: string;
}

/**
 * Runs a Task state's resource with its effective input. Resolves with the task's result; rejects
 * with a TaskError (or anything with string `error` and `cause`) to fail the task with that error
 * name. For the callback pattern, resolving means "submitted": the engine then waits for
 * sendTaskSuccess / sendTaskFailure on ctx.taskToken.
 */
export type TaskRunner = (resource: string, input: unknown, ctx: TaskContext) => Promise<unknown>;

export interface CallbackHandlers {
  success(output: JsonValue): void;
  failure(error: string | undefined, cause: string | undefined): void;
  heartbeat(): void;
}

/** Task tokens of callback tasks: the engine owns them (sendTaskSuccess & co. land there). */
export interface CallbackRegistry {
  create(executionArn: string): string;
  register(token: string, handlers: CallbackHandlers): void;
  release(token: string): void;
}

export interface ExecutionEnvironment {
  clock: EngineClock;
  taskRunner: TaskRunner;
  callbacks: CallbackRegistry;
  history: HistoryRecorder;
  /** Aborted by StopExecution and by the execution timeout. */
  signal: AbortSignal;
  random: () => number;
  region: string;
  accountId: string;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  startTime: number;
  input: JsonValue;
  /** Variables of the top-level scope to start with (a restarted execution); normally none. */
  variables?: Record<string, JsonValue>;
}

interface Scope {
  thread: HistoryThread;
  vars: VariableScope;
  signal: AbortSignal;
  queryLanguage: QueryLanguage;
}

interface StateRun {
  name: string;
  state: StateDef;
  raw: JsonValue;
  scope: Scope;
  jsonata: boolean;
  enteredEventId: number;
  enteredTime: string;
  retryCount: number;
  taskToken: string | undefined;
}

interface StateResult {
  output: JsonValue;
  assigned?: Record<string, JsonValue>;
}

interface StateOutcome extends StateResult {
  next: string | undefined;
}

interface ResourceInfo {
  resourceType: string;
  resource: string;
  lambdaFunction: boolean;
  pattern: IntegrationPattern;
}

function describeResource(arn: string): ResourceInfo {
  const pattern: IntegrationPattern = arn.endsWith('.waitForTaskToken')
    ? 'callback'
    : /\.sync(:\d+)?$/.test(arn)
      ? 'sync'
      : 'request-response';
  const integration = /^arn:[^:]+:states:[^:]*:[^:]*:(.+)$/.exec(arn);
  if (integration && !/^(activity|stateMachine|execution):/.test(integration[1] ?? '')) {
    const rest = integration[1] ?? '';
    const split = rest.lastIndexOf(':');
    return { resourceType: rest.slice(0, split), resource: rest.slice(split + 1), lambdaFunction: false, pattern };
  }
  if (/^arn:[^:]+:lambda:/.test(arn)) return { resourceType: 'lambda', resource: arn, lambdaFunction: true, pattern };
  const parts = arn.split(':');
  return { resourceType: parts[2] ?? 'unknown', resource: arn, lambdaFunction: false, pattern };
}

/** A task result as JSON: what a runner returns goes through JSON, as it would over the wire. */
function normalizeResult(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

const json = (value: JsonValue): string => JSON.stringify(value);

export class ExecutionInterpreter {
  private readonly executionContext: JsonObject;
  private readonly stateMachineContext: JsonObject;
  private readonly defaultLanguage: QueryLanguage;

  constructor(
    private readonly machine: MachineDef,
    private readonly env: ExecutionEnvironment,
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

  private async runBlock(block: MachineDef, input: JsonValue, scope: Scope): Promise<JsonValue> {
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

  private contextObject(c: StateRun, mapItem?: { Index: number; Value: JsonValue }): JsonObject {
    const context: JsonObject = {
      Execution: this.executionContext,
      State: { EnteredTime: c.enteredTime, Name: c.name, RetryCount: c.retryCount },
      StateMachine: this.stateMachineContext,
    };
    if (c.taskToken !== undefined) context.Task = { Token: c.taskToken };
    if (mapItem) context.Map = { Item: mapItem };
    return context;
  }

  private pathEnv(c: StateRun, mapItem?: { Index: number; Value: JsonValue }): PathEnv {
    let context: JsonObject | undefined;
    return {
      context: () => (context ??= this.contextObject(c, mapItem)),
      variable: (name) => c.scope.vars.get(name),
    };
  }

  private jsonataScope(c: StateRun, mapItem?: { Index: number; Value: JsonValue }): JsonataScope {
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
  private async jsonataNumber(
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
  private pathSeconds(
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
        return this.withErrorHandling(c, () => this.attemptTask(c));
      case 'Parallel':
        return this.withErrorHandling(c, () => this.attemptParallel(c));
      case 'Map':
        return this.withErrorHandling(c, () => this.attemptMap(c));
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
    const now = this.env.clock.now();
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
      await this.wait(c, waitMs);
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
    await this.wait(c, waitMs);
    const assigned = state.Assign ? this.assignJsonPath(state.Assign, effective, c) : undefined;
    return { output: applyOutputPath(effective, state.OutputPath, env), assigned, next: this.next(c) };
  }

  private wait(c: StateRun, machineMs: number): Promise<void> {
    if (machineMs <= 0) return Promise.resolve();
    return sleep(this.env.clock, machineMs, c.scope.signal, () => new ExecutionInterrupt());
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
        const index = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, e));
        const retrier = retriers[index];
        if (retrier && (attempts[index] ?? 0) < (retrier.MaxAttempts ?? 3)) {
          const made = attempts[index] ?? 0;
          attempts[index] = made + 1;
          let delaySeconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** made;
          if (retrier.MaxDelaySeconds !== undefined) delaySeconds = Math.min(delaySeconds, retrier.MaxDelaySeconds);
          if (retrier.JitterStrategy === 'FULL') delaySeconds *= this.env.random();
          await this.wait(c, delaySeconds * 1000);
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
  private async finishWithResult(c: StateRun, result: JsonValue): Promise<StateResult> {
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

  // ---- Task ----------------------------------------------------------------------------------

  private async attemptTask(c: StateRun): Promise<StateResult> {
    const { state } = c;
    const resource = state.Resource ?? '';
    const info = describeResource(resource);
    c.taskToken = info.pattern === 'callback' ? this.env.callbacks.create(this.env.executionArn) : undefined;
    let input: JsonValue;
    let timeoutSeconds: number | undefined;
    let heartbeatSeconds: number | undefined;
    if (c.jsonata) {
      const scope = this.jsonataScope(c);
      input =
        state.Arguments !== undefined ? await evaluateJsonataTemplate(state.Arguments, scope, 'Arguments') : c.raw;
      timeoutSeconds = await this.jsonataNumber(state.TimeoutSeconds, scope, 'TimeoutSeconds');
      heartbeatSeconds = await this.jsonataNumber(state.HeartbeatSeconds, scope, 'HeartbeatSeconds');
    } else {
      const env = this.pathEnv(c);
      const effective = applyInputPath(c.raw, state.InputPath, env);
      input = state.Parameters !== undefined ? evaluatePayloadTemplate(state.Parameters, effective, env) : effective;
      timeoutSeconds = this.pathSeconds(
        state.TimeoutSeconds,
        state.TimeoutSecondsPath,
        effective,
        env,
        'TimeoutSecondsPath',
      );
      heartbeatSeconds = this.pathSeconds(
        state.HeartbeatSeconds,
        state.HeartbeatSecondsPath,
        effective,
        env,
        'HeartbeatSecondsPath',
      );
    }
    const result = await this.invokeTask(c, resource, info, input, timeoutSeconds, heartbeatSeconds);
    return this.finishWithResult(c, result);
  }

  private async invokeTask(
    c: StateRun,
    resourceArn: string,
    info: ResourceInfo,
    input: JsonValue,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
  ): Promise<JsonValue> {
    const { history, region } = this.env;
    const thread = c.scope.thread;
    const resourceDetails = { resourceType: info.resourceType, resource: info.resource };
    const limits = {
      ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    };
    if (info.lambdaFunction) {
      history.add(thread, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource: resourceArn,
          input: json(input),
          inputDetails: NOT_TRUNCATED,
          ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
        },
      });
      history.add(thread, 'LambdaFunctionStarted');
    } else {
      history.add(thread, 'TaskScheduled', {
        taskScheduledEventDetails: { ...resourceDetails, region, parameters: json(input), ...limits },
      });
      history.add(thread, 'TaskStarted', { taskStartedEventDetails: resourceDetails });
    }
    try {
      const output = await this.awaitTask(c, resourceArn, info, input, timeoutSeconds, heartbeatSeconds);
      if (info.lambdaFunction) {
        history.add(thread, 'LambdaFunctionSucceeded', {
          lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: NOT_TRUNCATED },
        });
      } else {
        history.add(thread, 'TaskSucceeded', {
          taskSucceededEventDetails: { ...resourceDetails, output: json(output), outputDetails: NOT_TRUNCATED },
        });
      }
      return output;
    } catch (e) {
      if (e instanceof StatesError) {
        const failure = {
          ...(e.error !== '' ? { error: e.error } : {}),
          ...(e.cause !== undefined ? { cause: e.cause } : {}),
        };
        const timedOut = e.error === StatesErrorName.Timeout;
        if (info.lambdaFunction) {
          if (timedOut) history.add(thread, 'LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: failure });
          else history.add(thread, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: failure });
        } else if (timedOut) {
          history.add(thread, 'TaskTimedOut', { taskTimedOutEventDetails: { ...resourceDetails, ...failure } });
        } else {
          history.add(thread, 'TaskFailed', { taskFailedEventDetails: { ...resourceDetails, ...failure } });
        }
      }
      throw e;
    }
  }

  private awaitTask(
    c: StateRun,
    resourceArn: string,
    info: ResourceInfo,
    input: JsonValue,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
  ): Promise<JsonValue> {
    const { clock, callbacks, taskRunner, history } = this.env;
    const signal = c.scope.signal;
    const token = c.taskToken;
    return new Promise<JsonValue>((resolve, reject) => {
      // Made only if the runner looks at ctx.signal (most never do): a signal per task costs.
      let controller: AbortController | undefined;
      let settled = false;
      let timeoutTimer: TimerHandle | undefined;
      let heartbeatTimer: TimerHandle | undefined;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        timeoutTimer?.cancel();
        heartbeatTimer?.cancel();
        signal.removeEventListener('abort', onAbort);
        if (token !== undefined) callbacks.release(token);
        controller?.abort(ABORTED);
        action();
      };
      const onAbort = (): void => settle(() => reject(new ExecutionInterrupt()));
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      const timedOut = (heartbeatTimeout: boolean): void =>
        settle(() => reject(new StatesError(StatesErrorName.Timeout, undefined, { heartbeatTimeout })));
      if (timeoutSeconds !== undefined) timeoutTimer = clock.schedule(timeoutSeconds * 1000, () => timedOut(false));
      const heartbeat = (): void => {
        if (settled || heartbeatSeconds === undefined) return;
        heartbeatTimer?.cancel();
        heartbeatTimer = clock.schedule(heartbeatSeconds * 1000, () => timedOut(true));
      };
      heartbeat();
      if (token !== undefined) {
        callbacks.register(token, {
          success: (output) => settle(() => resolve(output)),
          failure: (error, cause) => settle(() => reject(new StatesError(error ?? '', cause))),
          heartbeat,
        });
      }
      const ctx: TaskContext = {
        stateName: c.name,
        executionArn: this.env.executionArn,
        stateMachineArn: this.env.stateMachineArn,
        get signal(): AbortSignal {
          if (!controller) {
            controller = new AbortController();
            if (settled) controller.abort(ABORTED);
          }
          return controller.signal;
        },
        integrationPattern: info.pattern,
        heartbeat,
        region: this.env.region,
        accountId: this.env.accountId,
        ...(token !== undefined ? { taskToken: token } : {}),
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
      };
      let invocation: Promise<unknown>;
      try {
        // The runner gets its own copy: what it does to it must not leak into the execution's data.
        invocation = Promise.resolve(taskRunner(resourceArn, structuredClone(input), ctx));
      } catch (e) {
        invocation = Promise.reject(e);
      }
      invocation.then(
        (value) => {
          if (settled) return;
          if (info.pattern === 'callback') {
            history.add(c.scope.thread, 'TaskSubmitted', {
              taskSubmittedEventDetails: {
                resourceType: info.resourceType,
                resource: info.resource,
                ...(value !== undefined ? { output: JSON.stringify(value), outputDetails: NOT_TRUNCATED } : {}),
              },
            });
            return;
          }
          let output: JsonValue;
          try {
            output = normalizeResult(value);
          } catch (e) {
            settle(() =>
              reject(new StatesError(StatesErrorName.Runtime, `The task result is not JSON: ${(e as Error).message}`)),
            );
            return;
          }
          settle(() => resolve(output));
        },
        (error: unknown) => settle(() => reject(toStatesError(error))),
      );
    });
  }

  // ---- Parallel and Map ----------------------------------------------------------------------

  private childScope(
    parent: Scope,
    thread: HistoryThread,
    signal: AbortSignal,
    language: QueryLanguage | undefined,
  ): Scope {
    return { thread, vars: new VariableScope(parent.vars), signal, queryLanguage: language ?? this.defaultLanguage };
  }

  private async attemptParallel(c: StateRun): Promise<StateResult> {
    const { state } = c;
    const history = this.env.history;
    let input: JsonValue;
    if (c.jsonata) {
      input =
        state.Arguments !== undefined
          ? await evaluateJsonataTemplate(state.Arguments, this.jsonataScope(c), 'Arguments')
          : c.raw;
    } else {
      const env = this.pathEnv(c);
      const effective = applyInputPath(c.raw, state.InputPath, env);
      input = state.Parameters !== undefined ? evaluatePayloadTemplate(state.Parameters, effective, env) : effective;
    }
    const startedId = history.add(c.scope.thread, 'ParallelStateStarted');
    const branches = state.Branches ?? [];
    const controller = new AbortController();
    const forward = (): void => controller.abort(ABORTED);
    c.scope.signal.addEventListener('abort', forward, { once: true });
    const threads = branches.map(() => ({ lastEventId: startedId }));
    const results: JsonValue[] = new Array<JsonValue>(branches.length).fill(null);
    let failure: unknown;
    try {
      await Promise.all(
        branches.map(async (branch, i) => {
          try {
            const scope = this.childScope(
              c.scope,
              threads[i] as HistoryThread,
              controller.signal,
              branch.QueryLanguage,
            );
            results[i] = await this.runBlock(branch, input, scope);
          } catch (e) {
            if (failure === undefined) {
              failure = e;
              controller.abort(ABORTED);
            }
          }
        }),
      );
    } finally {
      c.scope.signal.removeEventListener('abort', forward);
    }
    const lastBranchEvent = Math.max(startedId, ...threads.map((t) => t.lastEventId));
    if (failure !== undefined) {
      if (failure instanceof StatesError) history.add({ lastEventId: lastBranchEvent }, 'ParallelStateFailed');
      throw failure;
    }
    c.scope.thread.lastEventId = lastBranchEvent;
    history.add(c.scope.thread, 'ParallelStateSucceeded');
    return this.finishWithResult(c, results);
  }

  private async mapLimit(
    c: StateRun,
    literal: number | string | undefined,
    path: string | undefined,
    input: JsonValue,
    field: string,
  ): Promise<number | undefined> {
    if (c.jsonata) return this.jsonataNumber(literal, this.jsonataScope(c), field);
    return typeof literal === 'number'
      ? literal
      : this.pathSeconds(undefined, path, input, this.pathEnv(c), `${field}Path`);
  }

  private async attemptMap(c: StateRun): Promise<StateResult> {
    const { state } = c;
    const history = this.env.history;
    if (state.ItemReader !== undefined) {
      throw new StatesError(
        StatesErrorName.ItemReaderFailed,
        'ItemReader (Distributed Map over S3) is not supported by the local engine',
      );
    }
    let effective: JsonValue = c.raw;
    let items: JsonValue;
    if (c.jsonata) {
      items =
        state.Items !== undefined ? await evaluateJsonataTemplate(state.Items, this.jsonataScope(c), 'Items') : c.raw;
    } else {
      const env = this.pathEnv(c);
      effective = applyInputPath(c.raw, state.InputPath, env);
      items = applyInputPath(effective, state.ItemsPath ?? '$', env);
    }
    if (!Array.isArray(items)) {
      const source = c.jsonata ? 'Items' : `ItemsPath '${state.ItemsPath ?? '$'}'`;
      throw new StatesError(
        StatesErrorName.Runtime,
        `The Map state's ${source} must reference a JSON array, but got ${stringifyForCause(items)}`,
      );
    }
    const maxConcurrency =
      (await this.mapLimit(c, state.MaxConcurrency, state.MaxConcurrencyPath, effective, 'MaxConcurrency')) ?? 0;
    const toleratedCount = await this.mapLimit(
      c,
      state.ToleratedFailureCount,
      state.ToleratedFailureCountPath,
      effective,
      'ToleratedFailureCount',
    );
    const toleratedPercentage = await this.mapLimit(
      c,
      state.ToleratedFailurePercentage,
      state.ToleratedFailurePercentagePath,
      effective,
      'ToleratedFailurePercentage',
    );
    const tolerant = toleratedCount !== undefined || toleratedPercentage !== undefined;
    const processor = state.ItemProcessor ?? state.Iterator;
    if (!processor) throw new StatesError(StatesErrorName.Runtime, `The Map state '${c.name}' has no ItemProcessor`);
    const selector = state.ItemSelector ?? state.Parameters;

    const startedId = history.add(c.scope.thread, 'MapStateStarted', {
      mapStateStartedEventDetails: { length: items.length },
    });
    const controller = new AbortController();
    const forward = (): void => controller.abort(ABORTED);
    c.scope.signal.addEventListener('abort', forward, { once: true });
    const results: JsonValue[] = new Array<JsonValue>(items.length).fill(null);
    const threads: HistoryThread[] = [];
    let failures = 0;
    let failure: unknown;
    const exceeded = (): boolean =>
      (toleratedCount !== undefined && failures > toleratedCount) ||
      (toleratedPercentage !== undefined && (failures * 100) / items.length > toleratedPercentage) ||
      (!tolerant && failures > 0);

    const runIteration = async (index: number): Promise<void> => {
      const item = items[index] as JsonValue;
      const thread: HistoryThread = { lastEventId: startedId };
      threads.push(thread);
      const detail = { name: c.name, index };
      history.add(thread, 'MapIterationStarted', { mapIterationStartedEventDetails: detail });
      try {
        const mapItem = { Index: index, Value: item };
        let itemInput: JsonValue = item;
        if (selector !== undefined) {
          itemInput = c.jsonata
            ? await evaluateJsonataTemplate(selector, this.jsonataScope(c, mapItem), 'ItemSelector')
            : evaluatePayloadTemplate(selector, effective, this.pathEnv(c, mapItem));
        }
        const scope = this.childScope(c.scope, thread, controller.signal, processor.QueryLanguage);
        results[index] = await this.runBlock(processor, itemInput, scope);
        history.add(thread, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: detail });
      } catch (e) {
        if (!(e instanceof StatesError)) {
          history.add(thread, 'MapIterationAborted', { mapIterationAbortedEventDetails: detail });
          if (failure === undefined) failure = e;
          controller.abort(ABORTED);
          return;
        }
        history.add(thread, 'MapIterationFailed', { mapIterationFailedEventDetails: detail });
        failures++;
        results[index] = e.toErrorOutput() as JsonObject;
        if (failure === undefined && (e.terminal || exceeded())) {
          failure =
            tolerant && !e.terminal
              ? new StatesError(
                  StatesErrorName.ExceedToleratedFailureThreshold,
                  'The specified tolerated failure threshold was exceeded',
                )
              : e;
          controller.abort(ABORTED);
        }
      }
    };

    let nextIndex = 0;
    const worker = async (): Promise<void> => {
      while (nextIndex < items.length && failure === undefined && !controller.signal.aborted) {
        await runIteration(nextIndex++);
      }
    };
    const workers = maxConcurrency > 0 ? Math.min(maxConcurrency, items.length) : items.length;
    try {
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      c.scope.signal.removeEventListener('abort', forward);
    }
    const lastIterationEvent = Math.max(startedId, ...threads.map((t) => t.lastEventId));
    if (failure === undefined && c.scope.signal.aborted) failure = new ExecutionInterrupt();
    if (failure !== undefined) {
      if (failure instanceof StatesError) history.add({ lastEventId: lastIterationEvent }, 'MapStateFailed');
      throw failure;
    }
    c.scope.thread.lastEventId = lastIterationEvent;
    history.add(c.scope.thread, 'MapStateSucceeded');
    return this.finishWithResult(c, results);
  }
}
