// Lambda: the functions by stack with their invocation counts; one function's recent invocations
// (duration, outcome, cold or warm) and its log lines, live (the stream says when they change).
import { useRef, useState } from 'preact/hooks';
import { admin, duration, stackOf, type Stack } from '../api.js';
import { useLive } from '../live.js';
import { link, Problem, useLoad } from '../ui.js';

interface Invocation {
  requestId: string;
  startedAt: string;
  durationMs: number;
  cold: boolean;
  outcome: 'success' | 'error' | 'timeout';
  errorType?: string;
  errorMessage?: string;
}
interface FunctionView {
  name: string;
  arn: string;
  invocations: Invocation[];
  logs: string[];
  stats?: { invocations: number; coldStarts: number; errors: number; timeouts: number; sandboxes: number };
}

export function FunctionsPage({ name }: { name?: string | undefined }) {
  const [data, error, reload] = useLoad(async () => {
    const [{ functions }, { stacks }] = await Promise.all([
      admin<{ functions: FunctionView[] }>(name ? `functions?name=${encodeURIComponent(name)}` : 'functions'),
      admin<{ stacks: Stack[] }>('stacks'),
    ]);
    return { functions, stacks };
  }, [name]);
  // Read again when the stream says counts changed, at most twice a second.
  const pending = useRef<ReturnType<typeof setTimeout>>();
  const live = useLive(
    { topics: 'functions' },
    {
      functions: () => {
        if (!pending.current)
          pending.current = setTimeout(() => {
            pending.current = undefined;
            reload();
          }, 500);
      },
    },
  );
  if (name) {
    const fn = data?.functions[0];
    return (
      <>
        <p>
          <a href="#/lambda">Functions</a>
        </p>
        <h1>Function {name}</h1>
        <Problem text={error ?? (data && !fn ? `No function named ${name} is deployed.` : undefined)} />
        {fn && <FunctionDetails fn={fn} live={live} />}
      </>
    );
  }
  return (
    <>
      <h1>Lambda functions</h1>
      <Problem text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Function</th>
            <th scope="col">Stack</th>
            <th scope="col">Invocations</th>
            <th scope="col">Cold starts</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {data?.functions.map((fn) => (
            <tr>
              <td>
                <a href={link('lambda', fn.name)}>{fn.name}</a>
              </td>
              <td>{stackOf(data.stacks, fn.name) ?? stackOf(data.stacks, fn.arn) ?? ''}</td>
              <td>{fn.stats?.invocations ?? fn.invocations.length}</td>
              <td>{fn.stats?.coldStarts ?? ''}</td>
              <td>{fn.stats?.errors ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function FunctionDetails({ fn, live }: { fn: FunctionView; live: string }) {
  const [follow, setFollow] = useState(true);
  return (
    <>
      <section>
        <h2>
          Recent invocations <span class="muted live">({live})</span>
        </h2>
        {fn.invocations.length === 0 ? (
          <p class="muted">No invocation yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Outcome</th>
                <th scope="col">Start</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {[...fn.invocations]
                .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
                .map((i) => (
                  <tr>
                    <td>{new Date(i.startedAt).toLocaleTimeString()}</td>
                    <td>{duration(i.durationMs)}</td>
                    <td class={`outcome-${i.outcome === 'success' ? 'delivered' : 'dropped'}`}>
                      {i.outcome}
                      {i.errorType ? `: ${i.errorType} ${i.errorMessage ?? ''}` : ''}
                    </td>
                    <td>{i.cold ? 'cold' : 'warm'}</td>
                    <td class="mono">{i.requestId}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h2>Logs</h2>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Newest first
        </label>
        <pre class="json logs" tabIndex={0} aria-label={`Log lines of ${fn.name}`}>
          {(follow ? [...fn.logs].reverse() : fn.logs).join('\n') || 'No line yet.'}
        </pre>
      </section>
    </>
  );
}
