// Dead letters: every dead-letter queue (depth, whose, alarms) and the letters it holds, each with
// its error, rule and attempts; redrive one or all (POST /_presso/dlq/redrive).
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { useLive } from '../live.js';
import { Json, Problem, useLoad } from '../ui.js';

interface Letter {
  id: string;
  queueArn: string;
  ruleName?: string;
  targetId?: string;
  errorCode?: string;
  errorMessage?: string;
  attempts?: number;
  event?: { 'detail-type'?: string; id?: string };
}
interface Queue {
  queueName: string;
  queueArn?: string;
  depth: number;
  consumers: string[];
  alarms: Array<{ name: string; state: string }>;
}

export function DeadLettersPage() {
  const [data, error, reload] = useLoad(() => admin<{ deadLetters: Letter[]; queues: Queue[] }>('dlq'), []);
  const [results, setResults] = useState<string[]>([]);
  // A new dead letter shows up without a reload.
  useLive(
    { topics: 'deliveries' },
    { delivery: (o: { status: string }) => o.status === 'dead-lettered' && setTimeout(reload, 200) },
  );
  const redrive = async (ids?: string[]) => {
    try {
      const { results } = await admin<{ results: Array<{ id: string; delivered: boolean; error?: string }> }>(
        'dlq/redrive',
        ids ? { ids } : {},
      );
      setResults(
        results.map((r) =>
          r.delivered
            ? `${r.id}: delivered again.`
            : `${r.id}: not delivered${r.error ? `: ${r.error}` : ' (it failed again and is back in its queue)'}.`,
        ),
      );
    } catch (e) {
      setResults([(e as Error).message]);
    }
    reload();
  };
  return (
    <>
      <h1>Dead letters</h1>
      <Problem text={error} />
      {results.length > 0 && (
        <ul role="status" class="results">
          {results.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      )}
      {data && (
        <>
          <section>
            <h2>Queues</h2>
            {data.queues.length === 0 ? (
              <p class="muted">No dead-letter queue is configured.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Depth</th>
                    <th scope="col">Whose</th>
                    <th scope="col">Alarms</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queues.map((q) => (
                    <tr>
                      <td>{q.queueName}</td>
                      <td>{q.depth}</td>
                      <td>{q.consumers.join(', ')}</td>
                      <td>{q.alarms.map((a) => `${a.name}: ${a.state}`).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h2>Letters ({data.deadLetters.length})</h2>
            {data.deadLetters.length > 0 && (
              <button type="button" onClick={() => redrive()}>
                Redrive all
              </button>
            )}
            <ol class="letters">
              {data.deadLetters.map((l) => (
                <li class="card" data-letter={l.id}>
                  <p>
                    <strong>{l.event?.['detail-type'] ?? 'A message'}</strong> for {l.ruleName ?? '?'} →{' '}
                    {l.targetId ?? '?'}: {l.errorCode} {l.errorMessage}{' '}
                    {l.attempts !== undefined ? `(${l.attempts} attempts)` : ''}
                  </p>
                  <button
                    type="button"
                    onClick={() => redrive([l.id])}
                    aria-label={`Redrive ${l.event?.['detail-type'] ?? 'letter'} ${l.id}`}
                  >
                    Redrive
                  </button>
                  <details>
                    <summary>Event</summary>
                    <Json value={l.event} label={`Dead letter ${l.id}`} />
                  </details>
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </>
  );
}
