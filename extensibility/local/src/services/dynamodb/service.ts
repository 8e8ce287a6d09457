// DynamoDB and DynamoDB Streams on the edge: requests are forwarded to DynamoDB Local as they are
// (so every SDK and the aws CLI work unchanged), with ARNs rewritten between DynamoDB Local's
// "ddblocal" form and AWS's form for our account and region (see arns.ts).
//
// The engine starts on first use (a table deploy, a request, a stream poller) or when start() is
// called (`presso up` does, before it says ready), so a local cloud that never touches DynamoDB
// never pays for a JVM. Whether Java is there is checked when the local cloud starts.
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { crc32 } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Account } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import { sendAwsError } from '../../edge/server.js';
import type { EdgeRequest, ProxyService } from '../../edge/types.js';
import { DynamoArns, tableNameOf } from './arns.js';
import { startEngine, type DynamoDbEngine } from './engine.js';
import { askConsumedCapacity, ConsumedCapacity, type ConsumedUnits } from './consumed-capacity.js';

export const DYNAMODB_TARGET = 'DynamoDB_20120810';
export const STREAMS_TARGET = 'DynamoDBStreams_20120810';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * Item operations: their requests and responses carry items, never ARNs the engine would not
 * accept (it takes a table ARN of any region as TableName), so they are piped through untouched.
 * Every other operation (tables, streams, tags, backups...) is rewritten.
 */
const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

/** Operations that never change a table's items: everything else may add stream records. */
const READ_OPERATIONS = new Set([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TransactGetItems',
  'DescribeTable',
  'ListTables',
  'DescribeTimeToLive',
  'DescribeContinuousBackups',
  'DescribeEndpoints',
  'DescribeLimits',
  'ListTagsOfResource',
  'ListBackups',
  'ListGlobalTables',
  'DescribeKinesisStreamingDestination',
]);
/** "TableName":"x" (a name or an ARN) wherever a write request names its tables. */
const TABLE_NAME_FIELD = /"TableName"\s*:\s*"([^"]*)"/g;
/** Operations whose TableName fields are all the tables they write (others, e.g. PartiQL or BatchWriteItem, may write any). */
const NAMED_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'CreateTable',
  'UpdateTable',
  'DeleteTable',
  'UpdateTimeToLive',
]);

/** Request headers that belong to one hop, not to the request. */
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'expect',
  'accept-encoding',
  'upgrade',
]);
/** Any credentials do: -sharedDb makes DynamoDB Local ignore who asks and for which region. */
const INTERNAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=presso/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-target, Signature=0';

/** An error DynamoDB answered, with its AWS code (the namespace before '#' removed). */
export class DynamoDbError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export interface DynamoDbServiceOptions {
  account: Account;
  /** Where tables live on disk; in memory when omitted. */
  dbPath?: string;
  log: (line: string) => void;
}

export class DynamoDbService implements ProxyService {
  readonly name = 'dynamodb';
  readonly targetPrefixes = [DYNAMODB_TARGET, STREAMS_TARGET] as const;
  readonly arns: DynamoArns;
  private engine: Promise<DynamoDbEngine> | undefined;
  private client: DynamoDBClient | undefined;
  private closed = false;
  /** Tables found on disk when the engine started: the first stack to deploy one adopts it. */
  private readonly leftovers = new Set<string>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /**
   * Writes that have completed, per table and to any table (a write whose tables are not named):
   * stream pollers skip reading a stream that nothing wrote to since their last empty read.
   * Counted once DynamoDB Local has answered, so its stream records can be read by then.
   */
  private readonly writesByTable = new Map<string, number>();
  private writesToAny = 0;
  /** Operations sent to DynamoDB Local, from clients through the edge and from inside the local cloud. */
  private readonly calls = { edge: new Map<string, number>(), internal: new Map<string, number>() };
  /** Request units the item operations consumed, per table, as DynamoDB Local reports them. */
  private readonly consumed = new ConsumedCapacity();

  /**
   * Told the partition key of each table created through the API (CreateTable; undefined once
   * DeleteTable removed it), as a stack's tables tell it: IAM's dynamodb:LeadingKeys needs it.
   */
  onKeySchema: ((table: string, partitionKey: string | undefined) => void) | undefined;

  constructor(private readonly options: DynamoDbServiceOptions) {
    this.arns = new DynamoArns(options.account);
  }

  get storage(): string {
    return this.options.dbPath ? `on disk in ${this.options.dbPath}` : 'in memory';
  }

  /** Starts DynamoDB Local once; later calls share the same start. A failed start is retried on the next call. */
  start(): Promise<DynamoDbEngine> {
    if (this.closed) return Promise.reject(new Error('the local cloud is closed'));
    if (!this.engine) {
      const starting = startEngine({
        log: this.options.log,
        ...(this.options.dbPath ? { dbPath: this.options.dbPath } : {}),
      }).then(async (engine) => {
        try {
          if (this.options.dbPath) await this.findLeftovers(engine);
        } catch (e) {
          await engine.stop();
          throw e;
        }
        return engine;
      });
      this.engine = starting;
      starting.then(
        (engine) =>
          void engine.exited.then(() => {
            if (!this.closed)
              this.options.log(
                '[dynamodb] DynamoDB Local exited unexpectedly; DynamoDB requests will fail until the local cloud restarts',
              );
          }),
        () => {
          if (this.engine === starting) this.engine = undefined;
        },
      );
    }
    return this.engine;
  }

  private async findLeftovers(engine: DynamoDbEngine): Promise<void> {
    let start: string | undefined;
    do {
      const out = await this.send(
        Buffer.from(JSON.stringify(start ? { ExclusiveStartTableName: start } : {})),
        {
          'x-amz-target': `${DYNAMODB_TARGET}.ListTables`,
          'content-type': CONTENT_TYPE,
          authorization: INTERNAL_AUTHORIZATION,
        },
        engine,
      );
      const page = JSON.parse((await readAll(out)).toString('utf8')) as {
        TableNames?: string[];
        LastEvaluatedTableName?: string;
      };
      for (const name of page.TableNames ?? []) this.leftovers.add(name);
      start = page.LastEvaluatedTableName;
    } while (start);
    if (this.leftovers.size)
      this.options.log(
        `[dynamodb] ${this.leftovers.size} table(s) kept in ${this.options.dbPath}: ${[...this.leftovers].join(', ')}`,
      );
  }

  /** True (once) when the table was left on disk by an earlier run: the caller adopts it. */
  claimLeftover(tableName: string): boolean {
    return this.leftovers.delete(tableName);
  }

  /** An SDK client straight to the engine (ARNs in its answers are the engine's). */
  async engineClient(): Promise<DynamoDBClient> {
    const engine = await this.start();
    if (!this.client) {
      this.client = new DynamoDBClient({
        endpoint: engine.endpoint,
        region: this.options.account.region,
        credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
      });
      // Whatever it does may write (tables are rebuilt through it): every call counts as a write to any table.
      this.client.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } finally {
            this.writesToAny++;
          }
        },
        { step: 'initialize', name: 'pressoCountWrites' },
      );
    }
    return this.client;
  }

  /** Operations sent to DynamoDB Local so far: by clients (through the edge) and by the local cloud itself (Step Functions tasks, stream pollers). */
  stats(): { edge: Record<string, number>; internal: Record<string, number> } {
    return { edge: Object.fromEntries(this.calls.edge), internal: Object.fromEntries(this.calls.internal) };
  }

  /** Read and write request units consumed per table since start (what on-demand tables bill). */
  consumedCapacity(): Record<string, ConsumedUnits> {
    return this.consumed.snapshot();
  }

  /**
   * A number that grows whenever a write that may have touched the table completes: equal numbers
   * mean nothing was written to it in between.
   */
  writesTo(tableName: string): number {
    return (this.writesByTable.get(tableName) ?? 0) + this.writesToAny;
  }

  /** Counts a completed write of `operation` with this request body. */
  private wrote(operation: string, body: string | Buffer): void {
    if (READ_OPERATIONS.has(operation)) return;
    if (!NAMED_WRITES.has(operation)) {
      this.writesToAny++;
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // One table unless it is a transaction: the first TableName is the one (the rest of the body is items).
    const all = operation === 'TransactWriteItems';
    let named = false;
    TABLE_NAME_FIELD.lastIndex = 0;
    for (let match = TABLE_NAME_FIELD.exec(text); match; match = all ? TABLE_NAME_FIELD.exec(text) : null) {
      const name = tableNameOf(match[1]!);
      this.writesByTable.set(name, (this.writesByTable.get(name) ?? 0) + 1);
      named = true;
    }
    if (!named) this.writesToAny++;
  }

  /**
   * One DynamoDB or DynamoDB Streams operation from inside the local cloud (Step Functions tasks,
   * stream pollers), with the same ARN rewriting clients get. Throws DynamoDbError for an error answer.
   */
  async call(
    target: typeof DYNAMODB_TARGET | typeof STREAMS_TARGET,
    operation: string,
    input: unknown,
  ): Promise<Record<string, unknown>> {
    const rewrite = target === STREAMS_TARGET || !ITEM_OPERATIONS.has(operation);
    this.calls.internal.set(operation, (this.calls.internal.get(operation) ?? 0) + 1);
    const json = Buffer.from(JSON.stringify(rewrite ? this.arns.requestToEngine(input ?? {}) : (input ?? {})));
    const measured = target === DYNAMODB_TARGET && ITEM_OPERATIONS.has(operation);
    const { body, asked } = measured ? askConsumedCapacity(json) : { body: json, asked: true };
    const upstream = await this.send(body, {
      'x-amz-target': `${target}.${operation}`,
      'content-type': CONTENT_TYPE,
      authorization: INTERNAL_AUTHORIZATION,
    });
    const text = (await readAll(upstream)).toString('utf8');
    if (target === DYNAMODB_TARGET) this.wrote(operation, body);
    const parsed = (text.trim() === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    if ((upstream.statusCode ?? 500) >= 300) throw errorOf(parsed, upstream.statusCode ?? 500);
    if (measured) {
      this.consumed.record(operation, parsed.ConsumedCapacity);
      if (!asked) delete parsed.ConsumedCapacity;
    }
    return (rewrite ? this.arns.responseToClient(parsed) : parsed) as Record<string, unknown>;
  }

  async proxy(request: EdgeRequest, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target']);
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const rewrite = target.startsWith(`${STREAMS_TARGET}.`) || !ITEM_OPERATIONS.has(operation);
    this.calls.edge.set(operation, (this.calls.edge.get(operation) ?? 0) + 1);
    let body = request.body;
    // Item operations ask DynamoDB Local for the capacity they consume (stripped from the answer when the client did not ask).
    const measured = !target.startsWith(`${STREAMS_TARGET}.`) && ITEM_OPERATIONS.has(operation) && body.length > 0;
    let asked = true;
    if (measured) ({ body, asked } = askConsumedCapacity(body));
    if (rewrite && body.length > 0) {
      try {
        body = Buffer.from(JSON.stringify(this.arns.requestToEngine(JSON.parse(body.toString('utf8')))));
      } catch {
        // Not JSON: the engine answers it with its own SerializationException.
      }
    }
    let upstream: IncomingMessage;
    try {
      upstream = await this.send(body, request.headers);
    } catch (e) {
      return sendAwsError(
        response,
        new AwsError('InternalServerError', `DynamoDB Local is not available: ${(e as Error).message}`, 500),
        CONTENT_TYPE,
      );
    }
    const headers = { ...upstream.headers };
    delete headers['connection'];
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    if (!target.startsWith(`${STREAMS_TARGET}.`)) {
      // Counted once, when the answer has come (or the exchange was cut short: the write may have happened).
      let counted = false;
      const count = () => {
        if (counted) return;
        counted = true;
        this.wrote(operation, body);
      };
      upstream.once('end', count);
      upstream.once('close', count);
    }
    if (!rewrite && !measured) {
      response.writeHead(upstream.statusCode ?? 500, headers);
      upstream.pipe(response);
      await new Promise<void>((resolve) => response.once('close', resolve));
      return;
    }
    let out = await readAll(upstream);
    if (out.length > 0 && upstream.headers['content-type']?.includes('json')) {
      try {
        const answer = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
        if (measured && (upstream.statusCode ?? 500) < 300) {
          this.consumed.record(operation, answer.ConsumedCapacity);
          if (!asked) delete answer.ConsumedCapacity;
          out = Buffer.from(JSON.stringify(answer));
        } else if (rewrite) {
          if (upstream.statusCode === 200 && (operation === 'CreateTable' || operation === 'DeleteTable'))
            try {
              this.tellKeySchema(operation, answer);
            } catch (e) {
              // The key could not be written (a full disk): the call is refused, as nothing acknowledged may be unwritten.
              const error = e as NodeJS.ErrnoException;
              return sendAwsError(
                response,
                new AwsError(
                  'InternalServerError',
                  `The local cloud could not write the key schema of the table to its data directory (${error.code ?? error.message}), so ${operation} is not kept over a restart: free space on that disk and call ${operation} again.`,
                  500,
                ),
                CONTENT_TYPE,
              );
            }
          out = Buffer.from(JSON.stringify(this.arns.responseToClient(answer)));
        }
      } catch {
        // Not JSON: passed on as it came.
      }
    }
    headers['content-length'] = String(out.length);
    // The aws CLI checks this checksum of the body it receives.
    if (headers['x-amz-crc32'] !== undefined) headers['x-amz-crc32'] = String(crc32(out));
    response.writeHead(upstream.statusCode ?? 500, headers);
    response.end(out);
  }

  /** The table's partition key from CreateTable's answer (none after DeleteTable), to onKeySchema. */
  private tellKeySchema(operation: string, answer: unknown): void {
    const table = (answer as { TableDescription?: { TableName?: unknown; KeySchema?: unknown } }).TableDescription;
    if (!this.onKeySchema || typeof table?.TableName !== 'string') return;
    const keys = Array.isArray(table.KeySchema)
      ? (table.KeySchema as Array<{ AttributeName?: string; KeyType?: string }>)
      : [];
    this.onKeySchema(
      table.TableName,
      operation === 'CreateTable' ? keys.find((k) => k.KeyType === 'HASH')?.AttributeName : undefined,
    );
  }

  private async send(body: Buffer, incoming: IncomingHttpHeaders, started?: DynamoDbEngine): Promise<IncomingMessage> {
    const engine = started ?? (await this.start());
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(incoming)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: engine.port, method: 'POST', path: '/', headers, agent: this.agent },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client?.destroy();
    this.agent.destroy();
    const engine = await this.engine?.catch(() => undefined);
    await engine?.stop();
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function errorOf(body: Record<string, unknown>, status: number): DynamoDbError {
  const type = typeof body.__type === 'string' ? body.__type : 'InternalServerError';
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
  return new DynamoDbError(type.slice(type.lastIndexOf('#') + 1), message, status);
}
