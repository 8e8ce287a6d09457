// The display, on the TV at the bar (no input): the current QR code (its URL opens the order app
// with the event and code), refreshed as the validator rotates it, with the drinks left on it; the
// queue by number, ready for pickup, the shop closed; and WaitTimes' wait per drink when its
// messages arrive on the board's channel. It signs in once as the display device of one event (a
// sign-in an admin of the event issues): the event is the one its token's display group names, never
// the URL's, and the core lets it read that event's board and QR code and nothing else.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { renderSVG } from 'uqr';
import {
  boardChannel,
  firstSight,
  type BoardChannelMessage,
  type DisplayBoard,
  type QrCode,
} from '../../src/shared/index.js';
import { type Session } from '../common/session.js';
import { ConnectionBadge, ErrorText, mount } from '../common/ui.js';

type WaitTime = Extract<BoardChannelMessage, { kind: 'waitTime' }>;

/** The URL a phone's camera opens: the order app beside this one, with the event and the code. */
export const orderUrl = (eventId: string, code: string, here = location.href): string =>
  new URL(`../order/?${new URLSearchParams({ event: eventId, code })}`, here).href;

function QrPanel({ session, eventId, version }: { session: Session; eventId: string; version: number }) {
  const [qr, setQr] = useState<QrCode>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      let next = 30_000;
      try {
        const code = await session.api.qrCode(eventId);
        setQr(code);
        setError(undefined);
        next = Math.min(Math.max(code.refreshInMs, 1000), 60_000);
      } catch (e) {
        setError(e);
        next = 5_000;
      }
      if (!stopped) timer = setTimeout(() => void load(), next);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session, eventId, version]);
  const url = qr && orderUrl(eventId, qr.code);
  return (
    <section aria-labelledby="qr-title">
      <h1 id="qr-title">Scan to order</h1>
      <p class="muted">Serverlesspresso · {eventId}</p>
      {url && (
        <>
          <div
            class="qr"
            role="img"
            aria-label="QR code to order"
            data-url={url}
            dangerouslySetInnerHTML={{ __html: renderSVG(url, { ecc: 'M' }) }}
          />
          <p>
            Or open the order app and type <strong data-testid="code">{qr.code}</strong>
          </p>
          <p class="muted">
            {qr.availableTokens > 0
              ? `${qr.availableTokens} drinks left on this code`
              : 'No drinks left on this code: a new one comes soon'}
          </p>
        </>
      )}
      <ErrorText error={error} />
    </section>
  );
}

/** The event this display shows: the one its sign-in is the display of (GET /me/events). */
function DisplayApp({ session }: { session: Session }) {
  const [eventId, setEventId] = useState<string | null>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Retried until answered: a TV with no one at it must come up by itself after an outage.
    const load = () =>
      session.api.myEvents().then(
        (mine) => {
          if (stopped) return;
          setError(undefined);
          setEventId(mine.events.find((e) => e.roles.includes('display'))?.eventId ?? null);
        },
        (e: unknown) => {
          if (stopped) return;
          setError(e);
          timer = setTimeout(load, 5_000);
        },
      );
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session]);
  if (eventId === undefined) return error ? <ErrorText error={error} /> : <p class="loading">Loading the board…</p>;
  if (eventId === null)
    return (
      <div class="card">
        <h1>This is not a display sign-in</h1>
        <p>
          {session.user.email} is not the display of an event. Sign in with the display sign-in an admin of the event
          issues (in the barista app: "Display sign-in").
        </p>
        <button onClick={() => void session.auth.signOut()}>Sign out</button>
      </div>
    );
  return <Board session={session} eventId={eventId} />;
}

function Board({ session, eventId }: { session: Session; eventId: string }) {
  const { api, realtime } = session;
  const [board, setBoard] = useState<DisplayBoard>();
  const [waits, setWaits] = useState<Record<string, WaitTime>>({});
  const [qrVersion, setQrVersion] = useState(0);
  const [error, setError] = useState<unknown>();

  const refresh = useCallback(async () => {
    try {
      setBoard(await api.display(eventId));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [api, eventId]);

  useEffect(() => {
    void refresh();
    const seen = firstSight();
    const sub = realtime.subscribe<BoardChannelMessage>(boardChannel(eventId), {
      onData: (message) => {
        if (!seen(message)) return;
        if (message.kind === 'waitTime') {
          // Keep the highest version per drink (messages may arrive out of order).
          setWaits((all) =>
            (all[message.drink]?.version ?? -1) >= message.version ? all : { ...all, [message.drink]: message },
          );
          return;
        }
        // A scan takes a drink off the code: read it again with the board.
        if (message.kind === 'order' && message.state === 'QUEUED') setQrVersion((v) => v + 1);
        void refresh();
      },
      poll: refresh,
    });
    return () => sub.unsubscribe();
  }, [eventId, realtime, refresh]);

  const queue = board?.queue ?? [];
  const waitList = Object.values(waits);
  return (
    <>
      <div class="corner">
        <ConnectionBadge realtime={realtime} />
      </div>
      <div class="stack">
        <QrPanel session={session} eventId={eventId} version={qrVersion} />
      </div>
      <section aria-labelledby="queue-title">
        <h2 id="queue-title">In the queue</h2>
        {board && !board.storeOpen && <p class="closed">The shop is closed</p>}
        <ErrorText error={error} />
        {queue.length === 0 ? (
          <p class="muted">No orders waiting.</p>
        ) : (
          <ul class="board" data-testid="queue">
            {queue.map((entry) => (
              <li key={entry.orderNumber} class={entry.status === 'MAKING' ? 'making' : ''}>
                <span class="number">{entry.orderNumber}</span>
                {entry.drink}
                {entry.status === 'MAKING' && <div class="muted">being made</div>}
              </li>
            ))}
          </ul>
        )}
        {waitList.length > 0 && (
          <section aria-labelledby="waits-title">
            <h2 id="waits-title">Wait right now</h2>
            <ul class="waits">
              {waitList.map((w) => (
                <li key={w.drink}>
                  {w.drink}:{' '}
                  {w.averageSeconds < 60 ? 'under a minute' : `about ${Math.round(w.averageSeconds / 60)} min`}
                </li>
              ))}
            </ul>
          </section>
        )}
      </section>
      <section aria-labelledby="ready-title">
        <h2 id="ready-title">Ready for pickup</h2>
        {board?.ready.length ? (
          <ul class="board ready" data-testid="ready">
            {board.ready.map((entry) => (
              <li key={entry.orderNumber}>
                <span class="number">{entry.orderNumber}</span>
                {entry.drink}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">Nothing to collect yet.</p>
        )}
      </section>
    </>
  );
}

mount((session) => <DisplayApp session={session} />);
