// The stores' journals are JSON Lines files: one record a line, appended as things happen. Read back
// at start, a line a crash cut short (the last one, half-written) is skipped and told, never fatal.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The records of a journal file, in order: none when it does not exist yet (its folder is made).
 * `torn(lineNumber)` hears of each line that is not JSON.
 */
export function readJsonLines<T>(file: string, torn: (lineNumber: number) => void): T[] {
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) return [];
  const records: T[] = [];
  for (const [i, text] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (text.trim() === '') continue;
    try {
      records.push(JSON.parse(text) as T);
    } catch {
      torn(i + 1);
    }
  }
  return records;
}
