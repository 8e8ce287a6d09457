// The Task state: its resource (a service integration or a Lambda function, with the
// request-response, .sync or .waitForTaskToken pattern) run through the injected TaskRunner, with
// TimeoutSeconds and HeartbeatSeconds on the engine's clock, callbacks by task token, and the task's
// history events.
import type { TimerHandle } from './clock.js';
import { ABORTED, ExecutionInterrupt, StatesError, StatesErrorName, toStatesError } from './errors.js';
import type { IntegrationPattern, StateHost, StateResult, StateRun, TaskContext } from './execution.js';
import { NOT_TRUNCATED, historyJson as json } from './history.js';
import type { HistoryEvent } from './history.js';
import { evaluateJsonataTemplate } from './jsonata.js';
import { applyInputPath, evaluatePayloadTemplate } from './paths.js';
import type { JsonValue } from './types.js';

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

/**
 * The task token of this attempt: a new one, recorded beside the history before anything can see it,
 * or, for an execution resumed after a restart, the one it had (a SendTaskSuccess with it still answers).
 */
function taskToken(host: StateHost, c: StateRun): string {
  const { callbacks, history, executionArn } = host.env;
  const key = `token:${c.enteredEventId}:${c.retryCount}`;
  const recorded = history.marker(key);
  if (typeof recorded === 'string') return callbacks.adopt(recorded, executionArn);
  const token = callbacks.create(executionArn);
  history.mark(key, token);
  return token;
}

/** What a task did before a restart, from the event recorded after its start; undefined when nothing was. */
function recordedOutcome(event: HistoryEvent | undefined): { output: JsonValue } | { error: StatesError } | undefined {
  switch (event?.type) {
    case 'TaskSucceeded':
    case 'LambdaFunctionSucceeded': {
      const text = (event.taskSucceededEventDetails ?? event.lambdaFunctionSucceededEventDetails)?.output;
      return { output: text === undefined ? null : (JSON.parse(text) as JsonValue) };
    }
    case 'TaskFailed':
    case 'TaskTimedOut':
    case 'LambdaFunctionFailed':
    case 'LambdaFunctionTimedOut': {
      const details =
        event.taskFailedEventDetails ??
        event.taskTimedOutEventDetails ??
        event.lambdaFunctionFailedEventDetails ??
        event.lambdaFunctionTimedOutEventDetails ??
        {};
      return { error: new StatesError(details.error ?? '', details.cause) };
    }
    default:
      return undefined;
  }
}

/** A task result as JSON: what a runner returns goes through JSON, as it would over the wire. */
function normalizeResult(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** A Task state's attempt: its input and limits, the resource run through the TaskRunner, the result. */
export async function runTask(host: StateHost, c: StateRun): Promise<StateResult> {
  const { state } = c;
  const resource = state.Resource ?? '';
  const info = describeResource(resource);
  c.taskToken = info.pattern === 'callback' ? taskToken(host, c) : undefined;
  let input: JsonValue;
  let timeoutSeconds: number | undefined;
  let heartbeatSeconds: number | undefined;
  if (c.jsonata) {
    const scope = host.jsonataScope(c);
    input = state.Arguments !== undefined ? await evaluateJsonataTemplate(state.Arguments, scope, 'Arguments') : c.raw;
    timeoutSeconds = await host.jsonataNumber(state.TimeoutSeconds, scope, 'TimeoutSeconds');
    heartbeatSeconds = await host.jsonataNumber(state.HeartbeatSeconds, scope, 'HeartbeatSeconds');
  } else {
    const env = host.pathEnv(c);
    const effective = applyInputPath(c.raw, state.InputPath, env);
    input = state.Parameters !== undefined ? evaluatePayloadTemplate(state.Parameters, effective, env) : effective;
    timeoutSeconds = host.pathSeconds(
      state.TimeoutSeconds,
      state.TimeoutSecondsPath,
      effective,
      env,
      'TimeoutSecondsPath',
    );
    heartbeatSeconds = host.pathSeconds(
      state.HeartbeatSeconds,
      state.HeartbeatSecondsPath,
      effective,
      env,
      'HeartbeatSecondsPath',
    );
  }
  const result = await invokeTask(host, c, resource, info, input, timeoutSeconds, heartbeatSeconds);
  return host.finishWithResult(c, result);
}

async function invokeTask(
  host: StateHost,
  c: StateRun,
  resourceArn: string,
  info: ResourceInfo,
  input: JsonValue,
  timeoutSeconds: number | undefined,
  heartbeatSeconds: number | undefined,
): Promise<JsonValue> {
  const { history, region } = host.env;
  const thread = c.scope.thread;
  const resourceDetails = { resourceType: info.resourceType, resource: info.resource };
  const limits = {
    ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
    ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
  };
  let startedId: number;
  if (info.lambdaFunction) {
    history.add(thread, 'LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource: resourceArn,
        input: json(input),
        inputDetails: NOT_TRUNCATED,
        ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
      },
    });
    startedId = history.add(thread, 'LambdaFunctionStarted');
  } else {
    history.add(thread, 'TaskScheduled', {
      taskScheduledEventDetails: { ...resourceDetails, region, parameters: json(input), ...limits },
    });
    startedId = history.add(thread, 'TaskStarted', { taskStartedEventDetails: resourceDetails });
  }
  try {
    const output = await awaitTask(host, c, resourceArn, info, input, timeoutSeconds, heartbeatSeconds, startedId);
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

function awaitTask(
  host: StateHost,
  c: StateRun,
  resourceArn: string,
  info: ResourceInfo,
  input: JsonValue,
  timeoutSeconds: number | undefined,
  heartbeatSeconds: number | undefined,
  startedId: number,
): Promise<JsonValue> {
  const { clock, callbacks, taskRunner, history } = host.env;
  const signal = c.scope.signal;
  const token = c.taskToken;
  // A task started before a restart: what it did then stands; a callback submitted then waits on;
  // one that was running when the local cloud stopped failed, as a task whose worker vanished.
  let resumedCallback = false;
  const resumed = history.recordedBeforeRestart(startedId);
  if (resumed) {
    let next = history.peek(c.scope.thread);
    if (next?.type === 'TaskSubmitted' && token !== undefined) {
      history.add(c.scope.thread, 'TaskSubmitted', {});
      next = history.peek(c.scope.thread);
      resumedCallback = true;
    }
    const outcome = recordedOutcome(next);
    if (outcome) {
      if (token !== undefined) callbacks.release(token);
      return 'output' in outcome ? Promise.resolve(outcome.output) : Promise.reject(outcome.error);
    }
    if (!resumedCallback) {
      if (token !== undefined) callbacks.release(token);
      return Promise.reject(
        new StatesError(
          StatesErrorName.TaskFailed,
          'The local cloud stopped while the task was running: as for a worker that is gone, the task failed.',
        ),
      );
    }
  }
  // Timeouts and heartbeats count from the task's start (before a restart, for a resumed one).
  const startedAt = history.timeOf(startedId);
  const elapsed = (): number => (resumed ? Math.max(0, clock.now() - startedAt) * clock.speed : 0);
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
    if (timeoutSeconds !== undefined)
      timeoutTimer = clock.schedule(timeoutSeconds * 1000 - elapsed(), () => timedOut(false));
    const heartbeat = (sinceMs = 0): void => {
      if (settled || heartbeatSeconds === undefined) return;
      heartbeatTimer?.cancel();
      heartbeatTimer = clock.schedule(heartbeatSeconds * 1000 - sinceMs, () => timedOut(true));
    };
    // The last heartbeat received before a restart, else the start.
    const beat = token !== undefined ? history.marker(`heartbeat:${token}`) : undefined;
    heartbeat(resumed && typeof beat === 'number' ? Math.max(0, clock.now() - beat) * clock.speed : elapsed());
    if (token !== undefined) {
      callbacks.register(token, {
        success: (output) => settle(() => resolve(output)),
        failure: (error, cause) => settle(() => reject(new StatesError(error ?? '', cause))),
        heartbeat: () => {
          if (settled) return;
          history.mark(`heartbeat:${token}`, clock.now());
          heartbeat();
        },
      });
    }
    if (resumedCallback) return;
    const ctx: TaskContext = {
      stateName: c.name,
      executionArn: host.env.executionArn,
      stateMachineArn: host.env.stateMachineArn,
      get signal(): AbortSignal {
        if (!controller) {
          controller = new AbortController();
          if (settled) controller.abort(ABORTED);
        }
        return controller.signal;
      },
      integrationPattern: info.pattern,
      heartbeat,
      region: host.env.region,
      accountId: host.env.accountId,
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
