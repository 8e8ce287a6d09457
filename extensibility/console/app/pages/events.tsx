// EventBridge: buses and their rules (pattern, targets, counters over time as small charts); a
// bus's live tail with a pattern filter (the local cloud's engine: an invalid pattern gets its
// reason beside the field), each event with the rules it matched and each target's outcome; the
// archive searched by time and pattern.
import { useRef, useState } from 'preact/hooks';
import { admin, aws, stackOf, type EventEnvelope, type Outcome, type Stack } from '../api.js';
import { useLive } from '../live.js';
import { Json, link, Problem, Spark, useLoad } from '../ui.js';
import { CATALOG_HTML, catalogAnchor, catalogFile } from './catalog.js';

type CatalogEvents = Array<{ detailType: string; anchor: string }>;

/** A link to the detail-type's section of the events catalog, when the contract has it. */
function DetailType({ value, events }: { value: string; events: CatalogEvents | undefined }) {
  const anchor = events && catalogAnchor(events, value);
  return anchor ? (
    <p>
      <a href={`${CATALOG_HTML}#${anchor}`}>{value} in the events catalog</a>
    </p>
  ) : (
    <p class="muted">{value} is not in the events catalog.</p>
  );
}

interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
}
interface Target {
  Id: string;
  Arn: string;
  DeadLetterConfig?: { Arn: string };
}
interface Counts {
  put: number;
  matched: number;
  delivered: number;
  failed: number;
  deadLettered: number;
}

/** Per rule, the deliveries of each second seen (from the stream's counters), the last 30. */
function useCounterHistory() {
  const [history, setHistory] = useState<Map<string, number[]>>(new Map());
  const last = useRef(new Map<string, number>());
  useLive(
    { topics: 'stats' },
    {
      stats: (s: { rules: Record<string, Counts> }) => {
        setHistory((previous) => {
          const next = new Map(previous);
          for (const [arn, c] of Object.entries(s.rules)) {
            const total = c.delivered + c.failed;
            const delta = total - (last.current.get(arn) ?? total);
            last.current.set(arn, total);
            next.set(arn, [...(next.get(arn) ?? []), delta].slice(-30));
          }
          return next;
        });
      },
    },
  );
  return history;
}

type CatalogRules = Array<{ app: string; rule: string; events: CatalogEvents }>;

/**
 * The events of the contract a deployed rule consumes, as the catalog read them from its template:
 * the rule's logical id from its stack's resources, or from its generated name
 * (`<stack>-<LogicalId>-<suffix>`, as SAM's function events are named).
 */
function catalogRule(stacks: Stack[], rules: CatalogRules, rule: Rule): CatalogEvents | undefined {
  const deployedAs = (logicalId: string) =>
    stacks.some(
      (stack) =>
        rule.Name.startsWith(`${stack.name}-${logicalId}-`) ||
        stack.resources.some(
          (r) => r.logicalId === logicalId && (r.physicalId === rule.Name || r.physicalId === rule.Arn),
        ),
    );
  const found = rules.filter((r) => deployedAs(r.rule));
  // The same logical id in two apps: the one whose stack the rule's name starts with.
  const stack = stacks.find((s) => rule.Name.startsWith(`${s.name}-`))?.name;
  return (found.find((r) => r.app === stack) ?? found[0])?.events;
}

export function BusesPage() {
  const [data, error] = useLoad(async () => {
    const [{ EventBuses }, { stacks }, stats, catalog] = await Promise.all([
      aws<{ EventBuses: Array<{ Name: string; Arn: string }> }>('AWSEvents.ListEventBuses', {}),
      admin<{ stacks: Stack[] }>('stacks'),
      admin<{ rules: Record<string, Counts> }>('stats'),
      catalogFile().catch(() => undefined),
    ]);
    const buses = await Promise.all(
      EventBuses.map(async (bus) => {
        const { Rules } = await aws<{ Rules: Rule[] }>('AWSEvents.ListRules', { EventBusName: bus.Name, Limit: 100 });
        const rules = await Promise.all(
          Rules.map(async (rule) => ({
            rule,
            stack: stackOf(stacks, rule.Arn) ?? stackOf(stacks, rule.Name),
            consumes: catalogRule(stacks, catalog?.rules ?? [], rule),
            targets: (
              await aws<{ Targets: Target[] }>('AWSEvents.ListTargetsByRule', {
                Rule: rule.Name,
                EventBusName: bus.Name,
              })
            ).Targets,
          })),
        );
        return { bus, rules };
      }),
    );
    return { buses, stats };
  }, []);
  const history = useCounterHistory();
  return (
    <>
      <h1>EventBridge</h1>
      <Problem text={error} />
      {data?.buses.map(({ bus, rules }) => (
        <section class="card">
          <h2>
            Bus <a href={link('bus', bus.Name)}>{bus.Name}</a>
          </h2>
          <p>
            <a href={link('bus', bus.Name)}>Live tail and archive of {bus.Name}</a>
          </p>
          {rules.length === 0 ? (
            <p class="muted">No rule on this bus.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Pattern or schedule</th>
                  <th scope="col">Targets</th>
                  <th scope="col">Counts</th>
                </tr>
              </thead>
              <tbody>
                {rules.map(({ rule, stack, targets, consumes }) => {
                  const c = data.stats.rules[rule.Arn];
                  return (
                    <tr data-rule={rule.Name}>
                      <td>
                        {rule.Name}
                        <br />
                        <span class="muted">
                          {stack ?? ''} {rule.State}
                        </span>
                        {consumes && consumes.length > 0 && (
                          <>
                            <br />
                            Consumes (catalog):{' '}
                            {consumes.map((e, i) => (
                              <>
                                {i > 0 && ', '}
                                <a href={`${CATALOG_HTML}#${e.anchor}`}>{e.detailType}</a>
                              </>
                            ))}
                          </>
                        )}
                      </td>
                      <td>
                        {rule.EventPattern ? (
                          <Json value={rule.EventPattern} label={`Pattern of ${rule.Name}`} />
                        ) : (
                          <code>{rule.ScheduleExpression}</code>
                        )}
                      </td>
                      <td>
                        <ul>
                          {targets.map((t) => (
                            <li class="mono">
                              {t.Id}: {t.Arn.split(':').slice(2, 3).join('')} {t.Arn.split(':').pop()}
                              {t.DeadLetterConfig
                                ? ` (dead letters to ${t.DeadLetterConfig.Arn.split(':').pop()})`
                                : ''}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>
                        {c
                          ? `${c.matched} matched, ${c.delivered} delivered, ${c.failed} failed, ${c.deadLettered} dead-lettered`
                          : 'none yet'}
                        <br />
                        <Spark values={history.get(rule.Arn) ?? []} label={`Deliveries per second of ${rule.Name}`} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </>
  );
}

interface TailEntry {
  event: EventEnvelope;
  outcomes: Map<string, Outcome>;
}

/** The tail keeps this many events. */
const TAIL_SIZE = 200;
const DRAW_EVERY_MS = 200;

/** Checks a pattern with the engine (TestEventPattern): undefined when valid, else AWS's reason. */
async function patternProblem(pattern: string): Promise<string | undefined> {
  try {
    await aws('AWSEvents.TestEventPattern', {
      EventPattern: pattern,
      Event: JSON.stringify({
        id: '0',
        account: '0',
        source: 's',
        time: new Date().toISOString(),
        region: 'r',
        'detail-type': 'd',
        detail: {},
      }),
    });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function BusPage({ name }: { name: string }) {
  const [patternText, setPatternText] = useState('');
  const [pattern, setPattern] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [tail, setTail] = useState<TailEntry[]>([]);
  const [sampled, setSampled] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [catalog] = useLoad(catalogFile, []);
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  // Events and outcomes arrive faster than a page can draw: gathered here, drawn once per frame.
  const buffer = useRef({ entries: new Map<string, TailEntry>(), order: [] as string[], timer: 0 });
  const flush = () => {
    const b = buffer.current;
    b.timer = 0;
    setTail(b.order.map((id) => b.entries.get(id)!).filter(Boolean));
  };
  // Drawn at most every DRAW_EVERY_MS, whatever the rate: the tab stays responsive under a flood.
  const schedule = () => {
    if (!buffer.current.timer) buffer.current.timer = window.setTimeout(flush, DRAW_EVERY_MS);
  };
  const entryOf = (id: string) => buffer.current.entries.get(id);
  const live = useLive(
    { topics: 'events,deliveries', bus: name, pattern },
    {
      event: ({ event }: { event: EventEnvelope }) => {
        const b = buffer.current;
        if (pausedRef.current || b.entries.has(event.id)) return;
        b.entries.set(event.id, { event, outcomes: new Map() });
        b.order.unshift(event.id);
        for (const old of b.order.splice(TAIL_SIZE)) b.entries.delete(old);
        schedule();
      },
      delivery: (o: Outcome) => {
        const entry = entryOf(o.eventId);
        if (!entry) return;
        entry.outcomes.set(`${o.ruleName} ${o.targetId ?? ''}`, o);
        schedule();
      },
      sampled: ({ dropped, limit }: { dropped: number; limit: number }) =>
        setSampled(
          `Sampling: over ${limit} events a second, ${dropped} were left out of the tail in the last second (all are in the archive).`,
        ),
    },
  );
  const apply = async (e: Event) => {
    e.preventDefault();
    const text = patternText.trim();
    if (!text) return (setPattern(undefined), setProblem(undefined));
    const reason = await patternProblem(text);
    setProblem(reason);
    if (!reason) setPattern(text);
  };
  return (
    <>
      <p>
        <a href="#/events">EventBridge</a>
      </p>
      <h1>Bus {name}</h1>
      <form class="card" onSubmit={apply} aria-labelledby="filter-title">
        <h2 id="filter-title">Filter by event pattern</h2>
        <label for="pattern">Event pattern (empty: every event)</label>
        <textarea
          id="pattern"
          rows={3}
          value={patternText}
          onInput={(e) => setPatternText(e.currentTarget.value)}
          placeholder='{"detail-type": ["OrderManager.WaitingCompletion"]}'
          aria-invalid={problem ? true : undefined}
          aria-describedby="pattern-problem"
        />
        <div id="pattern-problem">
          <Problem text={problem} />
        </div>
        <button type="submit">Apply to the tail and the archive</button>
      </form>
      <section aria-labelledby="tail-title">
        <h2 id="tail-title">
          Live tail <span class="muted live">({paused ? 'paused' : live})</span>
        </h2>
        <button type="button" onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume the tail' : 'Pause the tail'}
        </button>
        {sampled && <p role="status">{sampled}</p>}
        <p class="muted">
          {tail.length === 0 ? 'No event since this page opened.' : `The newest ${tail.length} events.`}
        </p>
        <ol class="tail" tabIndex={0} aria-label="Live tail">
          {tail.map((entry) => (
            <TailRow key={entry.event.id} entry={entry} events={catalog?.events} />
          ))}
        </ol>
      </section>
      <Archive bus={name} pattern={pattern} events={catalog?.events} />
    </>
  );
}

function TailRow({ entry, events }: { entry: TailEntry; events: CatalogEvents | undefined }) {
  const { event } = entry;
  // An event's JSON is drawn once opened: the tail redraws up to 200 rows a frame.
  const [open, setOpen] = useState(false);
  const byRule = new Map<string, Outcome[]>();
  for (const o of entry.outcomes.values()) byRule.set(o.ruleName, [...(byRule.get(o.ruleName) ?? []), o]);
  return (
    <li class="event" data-event-id={event.id}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span class="muted">{new Date(event.time).toLocaleTimeString()}</span> <strong>{event['detail-type']}</strong>{' '}
          <span class="muted">{event.source}</span>{' '}
          {byRule.size === 0 ? (
            <span class="muted">no rule matched</span>
          ) : (
            [...byRule].map(([rule, outcomes]) => (
              <span class="match" data-rule={rule}>
                {rule}:{' '}
                {outcomes.map((o) => (
                  <span class={`outcome outcome-${o.status}`} title={o.error}>
                    {o.targetId ? `${o.targetId} ` : ''}
                    {o.status === 'matched' ? 'delivering' : o.status}
                  </span>
                ))}
              </span>
            ))
          )}
        </summary>
        {open && (
          <>
            <DetailType value={event['detail-type']} events={events} />
            <Json value={event} label={`Event ${event.id}`} />
          </>
        )}
      </details>
    </li>
  );
}

function Archive({
  bus,
  pattern,
  events,
}: {
  bus: string;
  pattern: string | undefined;
  events: CatalogEvents | undefined;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [query, setQuery] = useState({ from: '', to: '' });
  const [result, error] = useLoad(() => {
    const params = new URLSearchParams({ bus, limit: '100' });
    if (pattern) params.set('pattern', pattern);
    if (query.from) params.set('from', new Date(query.from).toISOString());
    if (query.to) params.set('to', new Date(query.to).toISOString());
    return admin<{ read: number; matched: number; events: EventEnvelope[] }>(`archive?${params}`);
  }, [bus, pattern, query]);
  return (
    <section aria-labelledby="archive-title">
      <h2 id="archive-title">Archive</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ from, to });
        }}
      >
        <label for="archive-from">From</label>
        <input
          id="archive-from"
          type="datetime-local"
          step="1"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
        <label for="archive-to">To</label>
        <input
          id="archive-to"
          type="datetime-local"
          step="1"
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
        <button type="submit">Search the archive</button>
      </form>
      <Problem text={error} />
      {result && (
        <>
          <p class="muted" role="status">
            {result.matched} of {result.read} archived events match{pattern ? ' the pattern' : ''}; the newest{' '}
            {result.events.length} shown.
          </p>
          <ol class="tail archive" tabIndex={0} aria-label="Archived events">
            {result.events.map((event) => (
              <li class="event" key={event.id}>
                <details>
                  <summary>
                    <span class="muted">{new Date(event.time).toLocaleString()}</span>{' '}
                    <strong>{event['detail-type']}</strong> <span class="muted">{event.source}</span>
                  </summary>
                  <DetailType value={event['detail-type']} events={events} />
                  <Json value={event} label={`Event ${event.id}`} />
                </details>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
