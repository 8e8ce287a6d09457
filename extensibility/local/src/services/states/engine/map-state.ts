// The Map state (inline): iterations over an array of items, MaxConcurrency at a time, each in a
// child scope with its own history thread, with tolerated failures (count or percentage). Distributed
// Map's ItemReader (S3) is refused.
import { ABORTED, ExecutionInterrupt, StatesError, StatesErrorName } from './errors.js';
import type { StateHost, StateResult, StateRun } from './execution.js';
import type { HistoryThread } from './history.js';
import { evaluateJsonataTemplate } from './jsonata.js';
import { applyInputPath, evaluatePayloadTemplate, resolvePath, stringifyForCause } from './paths.js';
import type { JsonObject, JsonValue } from './types.js';

/**
 * The number a Map's MaxConcurrencyPath, ToleratedFailureCountPath or ToleratedFailurePercentagePath
 * selected: a number, or a string holding one (`"2"`, as a variable assigned from text holds it).
 * A count is a whole number of 0 or more, a percentage a number from 0 to 100. AWS documents the
 * paths as selecting a positive integer (or a percentage); that it takes a number held as a string
 * is what its executions record. Undefined when the value is neither.
 */
export function mapLimitValue(value: JsonValue, percentage: boolean): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (percentage) return n <= 100 ? n : undefined;
  return Number.isInteger(n) ? n : undefined;
}

/** MaxConcurrency and the tolerated failures: a literal, a JSONata expression or a *Path (to the input or a variable). */
async function mapLimit(
  host: StateHost,
  c: StateRun,
  literal: number | string | undefined,
  path: string | undefined,
  input: JsonValue,
  field: string,
): Promise<number | undefined> {
  if (c.jsonata) return host.jsonataNumber(literal, host.jsonataScope(c), field);
  if (typeof literal === 'number') return literal;
  if (path === undefined) return undefined;
  const result = resolvePath(path, input, host.pathEnv(c));
  if (!result.found)
    throw new StatesError(StatesErrorName.Runtime, `Invalid path '${path}' : No results for path: ${path}`);
  const percentage = field === 'ToleratedFailurePercentage';
  const value = mapLimitValue(result.value, percentage);
  if (value === undefined) {
    throw new StatesError(
      StatesErrorName.Runtime,
      `The value of '${field}Path' at '${path}' must be ${percentage ? 'a number from 0 to 100' : 'a non-negative integer'}, but got ${stringifyForCause(result.value)}`,
    );
  }
  return value;
}

/**
 * A Map state's attempt (inline): one iteration per item, at most MaxConcurrency at a time, each
 * through ItemSelector into the ItemProcessor; failures within the tolerated count or percentage
 * leave their error output as the item's result.
 */
export async function runMap(host: StateHost, c: StateRun): Promise<StateResult> {
  const { state } = c;
  const history = host.env.history;
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
      state.Items !== undefined ? await evaluateJsonataTemplate(state.Items, host.jsonataScope(c), 'Items') : c.raw;
  } else {
    const env = host.pathEnv(c);
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
    (await mapLimit(host, c, state.MaxConcurrency, state.MaxConcurrencyPath, effective, 'MaxConcurrency')) ?? 0;
  const toleratedCount = await mapLimit(
    host,
    c,
    state.ToleratedFailureCount,
    state.ToleratedFailureCountPath,
    effective,
    'ToleratedFailureCount',
  );
  const toleratedPercentage = await mapLimit(
    host,
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
          ? await evaluateJsonataTemplate(selector, host.jsonataScope(c, mapItem), 'ItemSelector')
          : evaluatePayloadTemplate(selector, effective, host.pathEnv(c, mapItem));
      }
      const scope = host.childScope(c.scope, thread, controller.signal, processor.QueryLanguage);
      results[index] = await host.runBlock(processor, itemInput, scope);
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
  return host.finishWithResult(c, results);
}
