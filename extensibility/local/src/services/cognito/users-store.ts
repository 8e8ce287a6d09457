// Users outlive a restart when the data directory is the user's own (--data-dir): the whole
// directory is rewritten to <data-dir>/cognito/users.json (temporary file, synced, renamed) after
// every change, and read back at start. Pools are made again by their stacks' deploys with the same
// ids (derived from stack and logical id), so the users find their pool again.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../states/journal.js';
import type { UserDirectory, UsersSnapshot } from './users.js';

/** Loads the file into the directory; returns the function that saves it (wire it to onChange). */
export function persistUsers(directory: UserDirectory, file: string): () => void {
  if (existsSync(file)) directory.load(JSON.parse(readFileSync(file, 'utf8')) as UsersSnapshot);
  return () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, [`${JSON.stringify(directory.snapshot())}\n`]);
  };
}
