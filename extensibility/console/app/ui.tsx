// Small pieces every page uses.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Loads once per `deps` change; answers [value, error, reload]. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | undefined, string | undefined, () => void] {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && (setValue(v), setError(undefined)),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => void (live = false);
  }, [...deps, tick]);
  return [value, error, () => setTick((t) => t + 1)];
}

export const Problem = ({ text }: { text: string | undefined }) =>
  text ? (
    <p class="problem" role="alert">
      {text}
    </p>
  ) : null;

export const Json = ({ value, label }: { value: unknown; label?: string }) => {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else text = JSON.stringify(value, null, 2);
  return (
    <pre class="json" tabIndex={0} aria-label={label ?? 'JSON'}>
      {text}
    </pre>
  );
};

export const Section = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <section>
    <h3>{title}</h3>
    {children}
  </section>
);

export const Status = ({ status }: { status: string }) => (
  <span class={`status status-${status.toLowerCase()}`}>{status}</span>
);

export const link = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

/** A tiny bar chart of numbers (the counters over time), as SVG. */
export const Spark = ({ values, label }: { values: number[]; label: string }) => {
  const max = Math.max(1, ...values);
  const w = 120;
  const h = 24;
  const step = values.length > 1 ? w / values.length : w;
  return (
    <svg width={w} height={h} role="img" aria-label={`${label}: ${values.join(', ') || 'no data yet'}`} class="spark">
      {values.map((v, i) => (
        <rect x={i * step} y={h - (v / max) * h} width={Math.max(1, step - 1)} height={(v / max) * h} />
      ))}
    </svg>
  );
};
