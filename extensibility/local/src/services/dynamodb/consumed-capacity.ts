// DynamoDB's bill for on-demand tables is request units: the capacity each item operation consumed,
// from the items' sizes. DynamoDB Local computes it as DynamoDB does when a request asks for it
// (ReturnConsumedCapacity), so the local cloud asks on every item operation and keeps the sum per
// table; a client that did not ask gets the answer without it, as it would from AWS.

/** Request units consumed per table since start. */
export interface ConsumedUnits {
  readRequestUnits: number;
  writeRequestUnits: number;
}

const ASKED = /"ReturnConsumedCapacity"\s*:/;

/** The request body asking for TOTAL consumed capacity, unless it asks already (then `asked` is true). */
export function askConsumedCapacity(body: Buffer): { body: Buffer; asked: boolean } {
  const text = body.toString('utf8');
  if (ASKED.test(text)) return { body, asked: true };
  const open = text.indexOf('{');
  if (open < 0) return { body, asked: true };
  const rest = text.slice(open + 1).trimStart();
  const injected = `${text.slice(0, open)}{"ReturnConsumedCapacity":"TOTAL"${rest.startsWith('}') ? '' : ','}${rest}`;
  return { body: Buffer.from(injected), asked: false };
}

interface CapacityEntry {
  TableName?: unknown;
  CapacityUnits?: unknown;
  ReadCapacityUnits?: unknown;
  WriteCapacityUnits?: unknown;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const TRANSACTIONS = new Set(['TransactGetItems', 'TransactWriteItems', 'ExecuteTransaction']);

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export class ConsumedCapacity {
  private readonly tables = new Map<string, ConsumedUnits>();

  /**
   * Adds an answer's ConsumedCapacity (one entry or a list) of `operation`. A bare CapacityUnits is
   * read units for a read operation, else write units. DynamoDB Local reports a transaction's items
   * as plain reads and writes; DynamoDB bills each transactional one twice: doubled here.
   */
  record(operation: string, consumed: unknown): void {
    const isRead = READS.has(operation);
    const factor = TRANSACTIONS.has(operation) ? 2 : 1;
    const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as CapacityEntry[];
    for (const entry of entries) {
      const table = typeof entry.TableName === 'string' ? entry.TableName.replace(/^arn:.*:table\//, '') : 'unknown';
      let units = this.tables.get(table);
      if (!units) this.tables.set(table, (units = { readRequestUnits: 0, writeRequestUnits: 0 }));
      const read = num(entry.ReadCapacityUnits);
      const write = num(entry.WriteCapacityUnits);
      if (read || write) {
        units.readRequestUnits += factor * read;
        units.writeRequestUnits += factor * write;
      } else if (isRead) units.readRequestUnits += factor * num(entry.CapacityUnits);
      else units.writeRequestUnits += factor * num(entry.CapacityUnits);
    }
  }

  snapshot(): Record<string, ConsumedUnits> {
    return Object.fromEntries([...this.tables].map(([name, units]) => [name, { ...units }]));
  }
}
