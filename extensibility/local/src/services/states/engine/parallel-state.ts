// The Parallel state: its branches run concurrently on one input, each in a child scope with its own
// history thread; the first failure aborts the others and is the state's error.
import { ABORTED, StatesError } from './errors.js';
import type { StateHost, StateResult, StateRun } from './execution.js';
import type { HistoryThread } from './history.js';
import { evaluateJsonataTemplate } from './jsonata.js';
import { applyInputPath, evaluatePayloadTemplate } from './paths.js';
import type { JsonValue } from './types.js';

/** A Parallel state's attempt: every branch on the same input, concurrently; the first failure stops the others. */
export async function runParallel(host: StateHost, c: StateRun): Promise<StateResult> {
  const { state } = c;
  const history = host.env.history;
  let input: JsonValue;
  if (c.jsonata) {
    input =
      state.Arguments !== undefined
        ? await evaluateJsonataTemplate(state.Arguments, host.jsonataScope(c), 'Arguments')
        : c.raw;
  } else {
    const env = host.pathEnv(c);
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
          const scope = host.childScope(c.scope, threads[i] as HistoryThread, controller.signal, branch.QueryLanguage);
          results[i] = await host.runBlock(branch, input, scope);
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
  return host.finishWithResult(c, results);
}
