// Pieces every app shows: the connection state (never stale data silently), an error sentence, the
// boot screen.
import { render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { RealtimeClient, RealtimeStatus } from '../../src/shared/index.js';
import { sentence, startSession, type Session } from './session.js';
import './style.css';

/** The realtime client's status, as state. */
export function useRealtimeStatus(realtime: RealtimeClient): RealtimeStatus {
  const [status, setStatus] = useState(realtime.status);
  useEffect(() => realtime.onStatus(setStatus), [realtime]);
  return status;
}

const STATUS_TEXT: Record<RealtimeStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Reconnecting… updates every few seconds meanwhile',
};

export function ConnectionBadge({ realtime }: { realtime: RealtimeClient }) {
  const status = useRealtimeStatus(realtime);
  return (
    <span class={`connection connection-${status}`} role="status" data-status={status}>
      {STATUS_TEXT[status]}
    </span>
  );
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {sentence(error)}
    </p>
  );
}

/** A timer's tick, so ages and countdowns move. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Boot({ app }: { app: (session: Session) => ComponentChildren }) {
  const [session, setSession] = useState<Session>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    startSession().then(setSession, setError);
  }, []);
  if (error)
    return (
      <section class="card">
        <h1>We could not start</h1>
        <ErrorText error={error} />
        <button onClick={() => location.reload()}>Try again</button>
      </section>
    );
  if (!session) return <p class="loading">Signing you in…</p>;
  return <>{app(session)}</>;
}

/** Renders the app into #app once the person is signed in. */
export function mount(app: (session: Session) => ComponentChildren): void {
  const root = document.getElementById('app')!;
  root.textContent = '';
  render(<Boot app={app} />, root);
}
