// The edge's live changes (GET /_presso/stream, Server-Sent Events): one EventSource per page.
import { useEffect, useState } from 'preact/hooks';

export type LiveHandlers = Partial<
  Record<'event' | 'delivery' | 'execution' | 'history' | 'stats' | 'sampled' | 'functions', (data: never) => void>
>;

/**
 * Listens while the component is mounted; `query` (topics, bus, pattern, executionArn) reopens the
 * stream when it changes. Answers the connection's state, shown on the page.
 */
export function useLive(
  query: Record<string, string | undefined>,
  handlers: LiveHandlers,
): 'connecting' | 'live' | 'down' {
  const [state, setState] = useState<'connecting' | 'live' | 'down'>('connecting');
  const key = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
  useEffect(() => {
    const source = new EventSource(`/_presso/stream?${key}`);
    source.addEventListener('hello', () => setState('live'));
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'down' : 'connecting');
    for (const [type, handler] of Object.entries(handlers))
      source.addEventListener(type, (e) =>
        (handler as (d: unknown) => void)(JSON.parse((e as MessageEvent<string>).data)),
      );
    return () => source.close();
    // Handlers are read when the stream opens; they close over refs.
  }, [key]);
  return state;
}
