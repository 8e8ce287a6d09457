// One execution: its graph coloured by each state's status (live), its history with inputs and
// outputs, Stop, and task success or failure for the token it waits on.
import { useEffect, useRef, useState } from 'preact/hooks';
import { aws, dateOf, duration, time, type Execution, type HistoryEvent } from '../api.js';
import { statuses, waitingToken } from '../graph.js';
import { useLive } from '../live.js';
import { Json, link, Problem, Status } from '../ui.js';
import { GraphView } from './graph-view.js';

async function readHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws<{ events: HistoryEvent[]; nextToken?: string }>('AWSStepFunctions.GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** What a history event says, in one line: its state, error or details. */
function detailsOf(event: HistoryEvent): { summary: string; data?: unknown } {
  if (event.stateEnteredEventDetails)
    return { summary: event.stateEnteredEventDetails.name, data: event.stateEnteredEventDetails.input };
  if (event.stateExitedEventDetails)
    return { summary: event.stateExitedEventDetails.name, data: event.stateExitedEventDetails.output };
  const key = Object.keys(event).find((k) => k.endsWith('EventDetails'));
  const details = key ? (event[key] as Record<string, unknown>) : undefined;
  if (!details) return { summary: '' };
  const summary = [details.error, details.cause, details.resourceType, details.resource].filter(Boolean).join(' ');
  return { summary: summary.slice(0, 200), data: details };
}

export function ExecutionPage({ arn }: { arn: string }) {
  const [execution, setExecution] = useState<Execution>();
  const [definition, setDefinition] = useState<string>();
  const [history, setHistory] = useState<HistoryEvent[]>([]);
  const [problem, setProblem] = useState<string>();
  const pending = useRef<ReturnType<typeof setTimeout>>();

  const refresh = async () => {
    try {
      const [e, h] = await Promise.all([
        aws<Execution>('AWSStepFunctions.DescribeExecution', { executionArn: arn }),
        readHistory(arn),
      ]);
      setExecution(e);
      setHistory(h);
      if (!definition) {
        const m = await aws<{ definition: string }>('AWSStepFunctions.DescribeStateMachine', {
          stateMachineArn: e.stateMachineArn,
        });
        setDefinition(m.definition);
      }
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  // Many history events a second while it runs: read again at most every 300 ms.
  const soon = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void refresh();
    }, 300);
  };
  useEffect(() => {
    void refresh();
    return () => clearTimeout(pending.current);
  }, [arn]);
  const live = useLive({ topics: 'executions', executionArn: arn }, { execution: soon, history: soon });
  // What changed between the first read and the stream's start is read again once it is live.
  useEffect(() => {
    if (live === 'live') soon();
  }, [live]);

  const states = execution ? statuses(history, execution.status) : undefined;
  const token = execution?.status === 'RUNNING' ? waitingToken(history) : undefined;
  const start = dateOf(execution?.startDate);
  const stop = dateOf(execution?.stopDate);
  return (
    <>
      <p>
        {execution && (
          <a href={link('states', execution.stateMachineArn)}>{execution.stateMachineArn.split(':').pop()}</a>
        )}
      </p>
      <h1>Execution {execution?.name ?? arn.split(':').pop()}</h1>
      <Problem text={problem} />
      {execution && (
        <p class="summary">
          <Status status={execution.status} /> started {time(start)}
          {stop && start ? `, ran ${duration(stop.getTime() - start.getTime())}` : ''}{' '}
          <span class="muted live">({live})</span>
          {execution.error && (
            <>
              {' '}
              <strong>{execution.error}</strong> {execution.cause}
            </>
          )}
        </p>
      )}
      {execution?.status === 'RUNNING' && <StopExecution arn={arn} />}
      {token && <SendTask token={token} />}
      {definition && (
        <section>
          <h2>Graph</h2>
          <GraphView definition={definition} statuses={states} />
        </section>
      )}
      <section>
        <h2>History ({history.length} events)</h2>
        <ol class="history" tabIndex={0} aria-label="Execution history">
          {history.map((event) => {
            const { summary, data } = detailsOf(event);
            return (
              <li data-type={event.type}>
                <details>
                  <summary>
                    <span class="mono">{event.id}</span> <strong>{event.type}</strong> {summary}{' '}
                    <span class="muted">{time(dateOf(event.timestamp))}</span>
                  </summary>
                  {data !== undefined && <Json value={data} label={`Details of event ${event.id}`} />}
                </details>
              </li>
            );
          })}
        </ol>
      </section>
      {execution?.input !== undefined && (
        <details>
          <summary>Input</summary>
          <Json value={execution.input} label="Execution input" />
        </details>
      )}
      {execution?.output !== undefined && (
        <details open>
          <summary>Output</summary>
          <Json value={execution.output} label="Execution output" />
        </details>
      )}
    </>
  );
}

function StopExecution({ arn }: { arn: string }) {
  const [problem, setProblem] = useState<string>();
  const stop = () =>
    aws('AWSStepFunctions.StopExecution', {
      executionArn: arn,
      error: 'Console.Stopped',
      cause: 'Stopped from the local console.',
    }).catch((e: Error) => setProblem(e.message));
  return (
    <p>
      <button type="button" class="danger" onClick={stop}>
        Stop execution
      </button>
      <Problem text={problem} />
    </p>
  );
}

function SendTask({ token }: { token: string }) {
  const [output, setOutput] = useState('{}');
  const [error, setError] = useState('Console.TaskFailed');
  const [problem, setProblem] = useState<string>();
  const [sent, setSent] = useState<string>();
  const success = async () => {
    try {
      JSON.parse(output);
    } catch (e) {
      return setProblem(`The output is not JSON (${(e as Error).message}): write a JSON value, for example {}.`);
    }
    setProblem(undefined);
    await aws('AWSStepFunctions.SendTaskSuccess', { taskToken: token, output }).then(
      () => setSent('Task success sent.'),
      (e: Error) => setProblem(e.message),
    );
  };
  const failure = () =>
    aws('AWSStepFunctions.SendTaskFailure', { taskToken: token, error, cause: 'Sent from the local console.' }).then(
      () => setSent('Task failure sent.'),
      (e: Error) => setProblem(e.message),
    );
  return (
    <section class="card" aria-labelledby="task-title">
      <h2 id="task-title">Waiting for a task token</h2>
      <p class="mono wrap">{token}</p>
      <label for="task-output">Output</label>
      <textarea id="task-output" rows={3} value={output} onInput={(e) => setOutput(e.currentTarget.value)} />
      <button type="button" onClick={success}>
        Send task success
      </button>
      <label for="task-error">Error</label>
      <input id="task-error" value={error} onInput={(e) => setError(e.currentTarget.value)} />
      <button type="button" class="danger" onClick={failure}>
        Send task failure
      </button>
      <Problem text={problem} />
      {sent && <p role="status">{sent}</p>}
    </section>
  );
}
