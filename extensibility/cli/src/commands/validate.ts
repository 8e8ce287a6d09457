// presso validate FILE: one verdict per event, exit code 1 when any is invalid or unknown.
import { readFile } from 'node:fs/promises';
import { validateEvent } from '@serverlesspresso/catalog';

/** Reads a JSON array of envelopes, a single envelope, or JSON Lines. Throws with the line at fault. */
export function parseEnvelopes(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    // One envelope, perhaps pretty-printed over several lines.
    try {
      return [JSON.parse(trimmed) as unknown];
    } catch {
      // not a single document: read it as JSON Lines below, which names the failing line
    }
  }
  return trimmed.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch (e) {
      throw new Error(`line ${i + 1} is not JSON: ${(e as Error).message}`);
    }
  });
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function validateCommand(file: string, out: NodeJS.WritableStream): Promise<number> {
  let envelopes: unknown[];
  try {
    envelopes = parseEnvelopes(await readInput(file));
  } catch (e) {
    out.write(`presso validate: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  let invalid = 0;
  envelopes.forEach((envelope, i) => {
    const verdict = validateEvent(envelope);
    const e = (envelope ?? {}) as { id?: unknown; 'detail-type'?: unknown };
    const label = `#${i + 1} ${String(e['detail-type'] ?? '(no detail-type)')} ${String(e.id ?? '')}`.trimEnd();
    if (verdict.valid) {
      out.write(`valid    ${label}\n`);
    } else {
      invalid++;
      out.write(`INVALID  ${label}\n${verdict.errors.map((err) => `         ${err.path}: ${err.message}\n`).join('')}`);
    }
  });
  out.write(`${envelopes.length} events: ${envelopes.length - invalid} valid, ${invalid} invalid\n`);
  return invalid > 0 ? 1 : 0;
}
