// Step Functions: state machines per stack; one machine with its graph, "Start execution" (the
// default input the AWS console prefills, which the EventPlayer takes as its defaults) and its
// executions, live.
import { useState } from 'preact/hooks';
import { admin, aws, dateOf, duration, stackOf, time, type Execution, type Stack } from '../api.js';
import { useLive } from '../live.js';
import { link, Problem, Status, useLoad } from '../ui.js';
import { GraphView } from './graph-view.js';

interface Machine {
  stateMachineArn: string;
  name: string;
  type: string;
  creationDate: number;
}

/** What the AWS console prefills; the EventPlayer ignores Comment and replays its recorded session. */
export const DEFAULT_INPUT = JSON.stringify({ Comment: 'Insert your JSON here' }, null, 2);

export function StateMachinesPage() {
  const [data, error] = useLoad(async () => {
    const [{ stateMachines }, { stacks }] = await Promise.all([
      aws<{ stateMachines: Machine[] }>('AWSStepFunctions.ListStateMachines', {}),
      admin<{ stacks: Stack[] }>('stacks'),
    ]);
    const byStack = new Map<string, Machine[]>();
    for (const m of stateMachines) {
      const stack = stackOf(stacks, m.stateMachineArn) ?? '(created by the API)';
      byStack.set(stack, [...(byStack.get(stack) ?? []), m]);
    }
    return byStack;
  }, []);
  return (
    <>
      <h1>State machines</h1>
      <Problem text={error} />
      {data && data.size === 0 && <p>No state machine is deployed.</p>}
      {data &&
        [...data].map(([stack, machines]) => (
          <section>
            <h2>{stack}</h2>
            <ul class="list">
              {machines.map((m) => (
                <li>
                  <a href={link('states', m.stateMachineArn)}>{m.name}</a> <span class="muted">{m.type}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </>
  );
}

export function StateMachinePage({ arn }: { arn: string }) {
  const [machine, error] = useLoad(
    () =>
      aws<{ name: string; definition: string; type: string }>('AWSStepFunctions.DescribeStateMachine', {
        stateMachineArn: arn,
      }),
    [arn],
  );
  const [executions, setExecutions] = useState<Execution[]>();
  const [, listError, reload] = useLoad(async () => {
    const { executions } = await aws<{ executions: Execution[] }>('AWSStepFunctions.ListExecutions', {
      stateMachineArn: arn,
      maxResults: 100,
    });
    setExecutions(executions);
    return executions;
  }, [arn]);
  const live = useLive(
    { topics: 'executions' },
    {
      execution: (e: Execution) => {
        if (e.stateMachineArn !== arn) return;
        setExecutions((list) => [e, ...(list ?? []).filter((x) => x.executionArn !== e.executionArn)]);
      },
    },
  );
  return (
    <>
      <p>
        <a href="#/states">State machines</a>
      </p>
      <h1>{machine?.name ?? arn.split(':').pop()}</h1>
      <Problem text={error} />
      <StartExecution arn={arn} onStarted={reload} />
      <section>
        <h2>
          Executions <span class="muted live">({live})</span>
        </h2>
        <Problem text={listError} />
        <Executions executions={executions ?? []} />
      </section>
      {machine && (
        <section>
          <h2>Definition</h2>
          <GraphView definition={machine.definition} />
        </section>
      )}
    </>
  );
}

function StartExecution({ arn, onStarted }: { arn: string; onStarted: () => void }) {
  const [input, setInput] = useState(DEFAULT_INPUT);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const start = async (e: Event) => {
    e.preventDefault();
    try {
      JSON.parse(input);
    } catch (error) {
      // Refused before it is sent, as the AWS console does.
      return setProblem(`The input is not JSON (${(error as Error).message}): write a JSON value, for example {}.`);
    }
    setProblem(undefined);
    setBusy(true);
    try {
      const { executionArn } = await aws<{ executionArn: string }>('AWSStepFunctions.StartExecution', {
        stateMachineArn: arn,
        input,
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      onStarted();
      location.hash = link('execution', executionArn);
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={start} aria-labelledby="start-title">
      <h2 id="start-title">Start execution</h2>
      <label for="execution-name">Name (optional)</label>
      <input
        id="execution-name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        placeholder="a generated id"
      />
      <label for="execution-input">Input</label>
      <textarea
        id="execution-input"
        rows={6}
        value={input}
        onInput={(e) => setInput(e.currentTarget.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby="start-problem"
      />
      <div id="start-problem">
        <Problem text={problem} />
      </div>
      <button type="submit" disabled={busy}>
        Start execution
      </button>
    </form>
  );
}

export function Executions({ executions }: { executions: Execution[] }) {
  if (executions.length === 0) return <p class="muted">No execution yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => {
          const start = dateOf(e.startDate);
          const stop = dateOf(e.stopDate);
          return (
            <tr>
              <td>
                <a href={link('execution', e.executionArn)}>{e.name}</a>
              </td>
              <td>
                <Status status={e.status} />
              </td>
              <td>{time(start)}</td>
              <td>{start && stop ? duration(stop.getTime() - start.getTime()) : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
