// The partition key of each table made through the API (CreateTable) outlives a restart with
// --data-dir: DynamoDB Local keeps the table in the data directory, and IAM's dynamodb:LeadingKeys
// needs its key from the first request after the restart (DynamoDB Local starts on the first call,
// after IAM has decided). <data-dir>/tables/key-schemas.json maps table name to partition key; it is
// rewritten (a temporary file, synced, renamed over it) at each CreateTable and DeleteTable, before
// the call answers: a write that fails refuses the call with InternalServerError. A stack's tables
// are not written: the deploy tells their keys again.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crashNow, crashPoint, failPoint, noSpaceError } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';

export class KeySchemasStore {
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly file: string,
    log: (line: string) => void = () => {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      try {
        const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        for (const [table, key] of Object.entries(kept)) if (typeof key === 'string') this.keys.set(table, key);
      } catch (e) {
        log(
          `[dynamodb] ${file} could not be read (${(e as Error).message}): the partition keys of tables made through the API are not known until they are made again`,
        );
      }
    }
  }

  /** The tables made through the API before the restart, with their partition keys. */
  restored(): Array<[table: string, partitionKey: string]> {
    return [...this.keys];
  }

  /** A table made (its partition key) or deleted (undefined) through the API: written before the call answers. */
  save(table: string, partitionKey: string | undefined, operation: string): void {
    const next = new Map(this.keys);
    if (partitionKey === undefined) next.delete(table);
    else next.set(table, partitionKey);
    if (failPoint('dynamodb', operation)) throw noSpaceError();
    writeFileAtomic(this.file, [JSON.stringify(Object.fromEntries(next)) + '\n']);
    if (crashPoint('dynamodb', operation)) crashNow();
    if (partitionKey === undefined) this.keys.delete(table);
    else this.keys.set(table, partitionKey);
  }
}
