// Lambda's event source mappings for DynamoDB streams: a poller per mapping reads every shard of
// the stream (parents before children, new shards as they appear), batches records (BatchSize,
// MaximumBatchingWindowInSeconds), drops those no filter matches (FilterCriteria, EventBridge
// pattern syntax) and invokes the function with AWS's record shape, one batch at a time per shard,
// in order. A failed batch is retried (exponential backoff from 1 s, on the time scale) until it
// succeeds, MaximumRetryAttempts is spent or its records are older than MaximumRecordAgeInSeconds
// (by default: until the record expires, 24 hours, as DynamoDB Streams keeps them); with
// BisectBatchOnFunctionError a failed batch is split in two first (not counted as a retry), and
// with ReportBatchItemFailures only the records from the first reported failure on are retried.
// Polling is AWS's (each shard about 4 times a second), but a read that must come back empty (no
// write to the table since the last empty one) is not made: an idle stream costs next to nothing.
//
// A mapping keeps a checkpoint per shard (the last record its batches got through, and whether the
// shard is read to its end). Updating a mapping (UpdateEventSourceMapping, a redeploy) changes its
// settings while it runs, from where it is; disabling it stops it and keeps the checkpoints, so
// enabling it again goes on from there; only deleting it forgets them.
import { randomUUID } from 'node:crypto';
import type { TimeScale } from '../../time.js';
import type { CompiledPattern } from '../events/pattern/index.js';
import type { InvokeResult } from '../lambda/functions.js';
import { tableNameOf } from './arns.js';
import type { CheckpointStore } from './checkpoints-store.js';
import { STREAMS_TARGET, DynamoDbError, type DynamoDbService } from './service.js';

export interface StreamMappingSpec {
  uuid: string;
  functionArn: string;
  /** As clients know it (the template's ARN for a deployed table). */
  streamArn: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1: until the record expires. */
  maximumRetryAttempts: number;
  /** -1: until the record expires. */
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  /** A record is delivered when any filter matches it; no filters, every record. */
  filters: CompiledPattern[];
  /** Where discarded batches' metadata goes (DestinationConfig.OnFailure): an SQS queue locally; logged too. */
  onFailureDestination?: string;
}

/** A stream record as GetRecords returns it (ARNs and region already in AWS's form). */
export interface StreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  dynamodb: Record<string, unknown> & { SequenceNumber: string; ApproximateCreationDateTime?: number | string };
  userIdentity?: unknown;
}

/** The record a Lambda function receives: the stream record plus its eventSourceARN. */
export function lambdaRecord(record: StreamRecord, streamArn: string): Record<string, unknown> {
  const created = record.dynamodb.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...record.dynamodb,
      ...(created !== undefined
        ? { ApproximateCreationDateTime: typeof created === 'number' ? created : Date.parse(created) / 1000 }
        : {}),
    },
    eventSourceARN: streamArn,
    ...(record.userIdentity !== undefined ? { userIdentity: record.userIdentity } : {}),
  };
}

/** The sequence numbers a ReportBatchItemFailures response names, or undefined when it names none (success). */
export function reportedFailures(payload: unknown): string[] | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  return failures.map((f) =>
    typeof f === 'object' && f !== null ? String((f as { itemIdentifier?: unknown }).itemIdentifier ?? '') : '',
  );
}

/** DynamoDB Streams keeps records 24 hours. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
/** Lambda polls a shard about four times a second. */
const POLL_MS = 250;
/** New shards are looked for this often. */
const DESCRIBE_MS = 1000;
/** Polling never goes faster than this in real time, however fast the time scale. */
const MIN_REAL_POLL_MS = 10;
const MAX_BACKOFF_MS = 60_000;
/**
 * A shard's GetRecords is skipped while nothing has written to its table since its last two empty reads
 * (it would come back empty too); at most this many in a row, so whatever writes unseen (TTL
 * deletions, which AWS makes within days anyway) is still read within 10 s.
 */
const MAX_SKIPPED_READS = 40;
/** New shards only matter once written to: DescribeStream is skipped likewise, at most 9 times in a row (10 s). */
const MAX_SKIPPED_DESCRIBES = 9;
const GET_RECORDS_LIMIT = 1000;

interface Fetched {
  record: StreamRecord;
  /** When the poller first read it (real ms): the record's age counts from here. */
  seenAt: number;
}

/** How far a mapping got in one shard. */
export interface ShardCheckpoint {
  /** The last record a batch got through (delivered, filtered out or discarded). */
  sequence?: string;
  /** Read to its end (a closed shard). */
  done: boolean;
  /** Where reading began, for a shard no batch got through yet. */
  start?: 'TRIM_HORIZON' | 'LATEST';
  /** When a LATEST start was fixed (wall-clock ms): kept on disk, as LATEST means nothing after a restart. */
  since?: number;
  /**
   * Records created before the minute of this (wall-clock ms) are not delivered: a shard that began
   * at LATEST and had no batch through when the cloud stopped is read again from its start.
   */
  notBefore?: number;
}

interface Shard {
  id: string;
  parent?: string;
  closed: boolean;
  started: boolean;
  done: boolean;
}

export interface StreamPollerDeps {
  dynamodb: DynamoDbService;
  time: TimeScale;
  invoke(functionArn: string, event: unknown): Promise<InvokeResult>;
  log(line: string): void;
  /**
   * Sends a discarded batch's record to its OnFailure destination (with the function's execution
   * role); false when there is no such queue, `refused` with AWS's message when the role may not send.
   */
  onFailure?(destination: string, record: Record<string, unknown>): boolean | { refused: string };
  /** Keeps a checkpoint (on disk with --data-dir); a write that fails stops the shard's worker. */
  saveCheckpoint?(spec: StreamMappingSpec, shardId: string, checkpoint: ShardCheckpoint): void;
}

/** Lambda's on-failure record of a discarded stream batch (what an SQS OnFailure destination receives). */
export interface StreamFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
}

/** Whether a message body is Lambda's on-failure record of a stream batch. */
export function isStreamFailureRecord(value: unknown): value is StreamFailureRecord {
  const v = value as Partial<StreamFailureRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.requestContext?.functionArn === 'string' &&
    typeof v.DDBStreamBatchInfo?.shardId === 'string' &&
    typeof v.DDBStreamBatchInfo.startSequenceNumber === 'string'
  );
}

/** Why a batch was discarded, in the words of Lambda's on-failure record. */
type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

class Stopped extends Error {}

/** One mapping's poller: started by StreamPollers.start, stopped by stop(). */
export class StreamPoller {
  private current: StreamMappingSpec;
  private readonly abort = new AbortController();
  private readonly shards = new Map<string, Shard>();
  private readonly workers = new Set<Promise<void>>();
  private loop: Promise<void> = Promise.resolve();
  /** Invocations made, failed and records discarded; GetRecords made and skipped; DescribeStream calls: what tests, benchmarks and `presso` can look at. */
  readonly stats = { invocations: 0, failures: 0, discarded: 0, getRecords: 0, skippedReads: 0, describeStream: 0 };
  private readonly table: string;
  /** Per shard: how far the mapping got. */
  private readonly positions: Map<string, ShardCheckpoint>;

  constructor(
    spec: StreamMappingSpec,
    private readonly deps: StreamPollerDeps,
    /** Checkpoints of the same mapping, when it was disabled and is enabled again. */
    private readonly resumeFrom?: ReadonlyMap<string, ShardCheckpoint>,
  ) {
    this.current = spec;
    this.table = tableNameOf(spec.streamArn);
    this.positions = new Map([...(resumeFrom ?? [])].map(([id, c]) => [id, { ...c }]));
  }

  get spec(): StreamMappingSpec {
    return this.current;
  }

  /**
   * New settings (batch size, window, retries, filters, function...) for the batches from now on;
   * the shards are read on from where they are. The stream and starting position cannot change.
   */
  reconfigure(spec: StreamMappingSpec): void {
    if (spec.uuid !== this.current.uuid || spec.streamArn !== this.current.streamArn)
      throw new Error(`mapping ${this.current.uuid}: an update keeps its UUID and stream`);
    this.current = spec;
  }

  /** Where the mapping is in each shard. */
  checkpoints(): Map<string, ShardCheckpoint> {
    return new Map([...this.positions].map(([id, c]) => [id, { ...c }]));
  }

  /** Resolves once every shard has its starting position (so LATEST means "after this call"). */
  async start(): Promise<void> {
    const positions = await this.discover(true);
    this.loop = this.run(positions);
  }

  /** Stops polling now; an invocation in flight is abandoned (its result ignored, nothing retried). */
  async stop(): Promise<void> {
    this.abort.abort(new Stopped('stopped'));
    await this.loop;
    await Promise.all([...this.workers]);
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private sleep(simulatedMs: number): Promise<void> {
    const real = Math.max(this.deps.time.scaled(simulatedMs), MIN_REAL_POLL_MS);
    return this.deps.time.sleep(real * this.deps.time.speed, this.signal);
  }

  private streams(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.deps.dynamodb.call(STREAMS_TARGET, operation, input);
  }

  /** Reads the stream's shards; new ones get an iterator type (initially the mapping's starting position). */
  private async discover(initial: boolean): Promise<Map<string, string>> {
    const positions = new Map<string, string>();
    let exclusiveStart: string | undefined;
    do {
      this.stats.describeStream++;
      const out = await this.streams('DescribeStream', {
        StreamArn: this.spec.streamArn,
        ...(exclusiveStart ? { ExclusiveStartShardId: exclusiveStart } : {}),
      });
      const description = out.StreamDescription as {
        Shards?: Array<{
          ShardId: string;
          ParentShardId?: string;
          SequenceNumberRange?: { EndingSequenceNumber?: string };
        }>;
        LastEvaluatedShardId?: string;
      };
      for (const s of description.Shards ?? []) {
        const known = this.shards.get(s.ShardId);
        const closed = s.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        if (known) {
          known.closed ||= closed;
          continue;
        }
        const shard: Shard = {
          id: s.ShardId,
          closed,
          started: false,
          done: false,
          ...(s.ParentShardId ? { parent: s.ParentShardId } : {}),
        };
        const checkpoint = this.positions.get(s.ShardId);
        // LATEST at creation: what is already closed holds nothing new.
        if (initial && !this.resumeFrom && this.spec.startingPosition === 'LATEST' && closed) shard.done = true;
        if (checkpoint?.done) shard.done = true;
        this.shards.set(s.ShardId, shard);
        if (!shard.done) {
          // Resumed: on from the checkpoint; a shard the mapping never saw began while it was off.
          const start = checkpoint
            ? (checkpoint.start ?? 'TRIM_HORIZON')
            : initial && !this.resumeFrom
              ? this.spec.startingPosition
              : 'TRIM_HORIZON';
          const type = checkpoint?.sequence
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint.sequence }
            : { ShardIteratorType: start };
          const it = await this.streams('GetShardIterator', {
            StreamArn: this.spec.streamArn,
            ShardId: s.ShardId,
            ...type,
          });
          positions.set(s.ShardId, it.ShardIterator as string);
          if (!checkpoint) this.checkpoint(s.ShardId, { start, ...(start === 'LATEST' ? { since: Date.now() } : {}) });
        }
      }
      exclusiveStart = description.LastEvaluatedShardId;
    } while (exclusiveStart);
    return positions;
  }

  private async run(initialPositions: Map<string, string>): Promise<void> {
    const iterators = initialPositions;
    let lastError = '';
    // The table's write count at the last DescribeStream, and the describes skipped since.
    let describedAt: number | undefined;
    let skipped = 0;
    while (!this.signal.aborted) {
      // A shard starts once its parent is done (or its parent is not in the stream any more).
      for (const shard of this.shards.values()) {
        if (shard.started || shard.done) continue;
        const parent = shard.parent ? this.shards.get(shard.parent) : undefined;
        if (parent && !parent.done) continue;
        const iterator = iterators.get(shard.id);
        if (!iterator) continue;
        shard.started = true;
        const worker = this.work(shard, iterator).catch((e: unknown) => {
          if (!(e instanceof Stopped))
            this.deps.log(`[streams] ${this.spec.uuid}: shard ${shard.id} stopped: ${(e as Error).message}`);
        });
        this.workers.add(worker);
        void worker.finally(() => this.workers.delete(worker));
      }
      try {
        await this.sleep(DESCRIBE_MS);
        const writes = this.deps.dynamodb.writesTo(this.table);
        if (describedAt === writes && skipped < MAX_SKIPPED_DESCRIBES) {
          skipped++;
          continue;
        }
        skipped = 0;
        for (const [id, it] of await this.discover(false)) iterators.set(id, it);
        describedAt = writes;
        lastError = '';
      } catch (e) {
        if (e instanceof Stopped || this.signal.aborted) return;
        const message = (e as Error).message;
        if (message !== lastError)
          this.deps.log(`[streams] ${this.spec.uuid}: cannot read ${this.spec.streamArn}: ${message}`);
        lastError = message;
      }
    }
  }

  /** Reads one shard to its end, one batch at a time. */
  private async work(shard: Shard, firstIterator: string): Promise<void> {
    let iterator: string | undefined = firstIterator;
    let lastSequence: string | undefined;
    const buffer: Fetched[] = [];
    // The table's write count when two reads in a row came back empty, and the reads skipped since.
    // One empty read is not enough: DynamoDB Local can answer a write before its stream record is
    // readable, and a read in that gap would otherwise put the record off for MAX_SKIPPED_READS polls.
    let quietAt: number | undefined;
    let emptyAt: number | undefined;
    let skipped = 0;
    while (!this.signal.aborted) {
      const writes = this.deps.dynamodb.writesTo(this.table);
      if (iterator && buffer.length < this.spec.batchSize && quietAt === writes && skipped < MAX_SKIPPED_READS) {
        skipped++;
        this.stats.skippedReads++;
      } else if (iterator && buffer.length < this.spec.batchSize) {
        skipped = 0;
        let out: Record<string, unknown>;
        try {
          this.stats.getRecords++;
          out = await this.streams('GetRecords', {
            ShardIterator: iterator,
            Limit: Math.min(GET_RECORDS_LIMIT, this.spec.batchSize - buffer.length),
          });
        } catch (e) {
          if (
            e instanceof DynamoDbError &&
            (e.code === 'ExpiredIteratorException' || e.code === 'TrimmedDataAccessException')
          ) {
            const type = lastSequence
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastSequence }
              : { ShardIteratorType: 'TRIM_HORIZON' };
            iterator = (
              await this.streams('GetShardIterator', { StreamArn: this.spec.streamArn, ShardId: shard.id, ...type })
            ).ShardIterator as string;
            continue;
          }
          throw e;
        }
        const now = Date.now();
        const records = (out.Records as StreamRecord[] | undefined) ?? [];
        const notBefore = this.positions.get(shard.id)?.notBefore;
        for (const record of records) {
          lastSequence = record.dynamodb.SequenceNumber;
          // ApproximateCreationDateTime is to the minute (DynamoDB Local's): a record of the minute
          // before the mapping began may be delivered, none after it is skipped.
          if (notBefore !== undefined && createdAt(record) < Math.floor(notBefore / 60_000) * 60_000) continue;
          buffer.push({ record, seenAt: now });
        }
        quietAt = records.length === 0 && emptyAt === writes ? writes : undefined;
        emptyAt = records.length === 0 ? writes : undefined;
        iterator = (out.NextShardIterator as string | undefined) ?? undefined;
      }
      if (buffer.length === 0) {
        if (!iterator) break; // closed and read to its end
        await this.sleep(POLL_MS);
        continue;
      }
      const waitedMs = (Date.now() - buffer[0]!.seenAt) * this.deps.time.speed;
      if (
        iterator &&
        buffer.length < this.spec.batchSize &&
        waitedMs < this.spec.maximumBatchingWindowInSeconds * 1000
      ) {
        await this.sleep(POLL_MS);
        continue;
      }
      const batch = buffer.splice(0, this.spec.batchSize);
      await this.deliver(
        shard.id,
        batch.filter(
          (f) =>
            this.spec.filters.length === 0 ||
            this.spec.filters.some((p) => p.matches(lambdaRecord(f.record, this.spec.streamArn))),
        ),
      );
      if (this.signal.aborted) break; // the batch was abandoned: it is not checkpointed
      this.checkpoint(shard.id, { sequence: batch[batch.length - 1]!.record.dynamodb.SequenceNumber });
    }
    shard.done = !this.signal.aborted;
    if (shard.done) this.checkpoint(shard.id, { done: true });
  }

  private checkpoint(shardId: string, change: Partial<ShardCheckpoint>): void {
    const checkpoint = { done: false, ...this.positions.get(shardId), ...change };
    this.deps.saveCheckpoint?.(this.spec, shardId, checkpoint);
    this.positions.set(shardId, checkpoint);
  }

  /** Invokes until the batch succeeds or is discarded; parts of a bisected batch go in order. */
  private async deliver(shardId: string, batch: Fetched[]): Promise<void> {
    const parts: Array<{ records: Fetched[]; retries: number; invokes: number }> =
      batch.length > 0 ? [{ records: batch, retries: 0, invokes: 0 }] : [];
    while (parts.length > 0) {
      const part = parts[0]!;
      part.records = this.dropExpired(part.records, shardId, part.invokes);
      if (part.records.length === 0) {
        parts.shift();
        continue;
      }
      const failure = await this.invoke(part.records);
      part.invokes++;
      if (failure === undefined) {
        parts.shift();
        continue;
      }
      // ReportBatchItemFailures: what came before the first failed record is done.
      if (failure.from > 0) part.records = part.records.slice(failure.from);
      if (this.spec.bisectBatchOnFunctionError && part.records.length > 1) {
        const half = Math.ceil(part.records.length / 2);
        parts.splice(
          0,
          1,
          { records: part.records.slice(0, half), retries: part.retries, invokes: part.invokes },
          { records: part.records.slice(half), retries: part.retries, invokes: part.invokes },
        );
        continue;
      }
      part.retries++;
      if (this.spec.maximumRetryAttempts >= 0 && part.retries > this.spec.maximumRetryAttempts) {
        this.discard(part.records, `retries exhausted (${this.spec.maximumRetryAttempts}): ${failure.reason}`, {
          shardId,
          condition: 'RetryAttemptsExhausted',
          invokes: part.invokes,
          functionError: failure.functionError,
        });
        parts.shift();
        continue;
      }
      await this.sleep(Math.min(1000 * 2 ** (part.retries - 1), MAX_BACKOFF_MS));
    }
  }

  private dropExpired(records: Fetched[], shardId: string, invokes: number): Fetched[] {
    const maxAgeMs =
      this.spec.maximumRecordAgeInSeconds >= 0 ? this.spec.maximumRecordAgeInSeconds * 1000 : RETENTION_MS;
    const now = Date.now();
    const kept = records.filter((f) => (now - f.seenAt) * this.deps.time.speed <= maxAgeMs);
    if (kept.length < records.length)
      this.discard(
        records.filter((f) => !kept.includes(f)),
        `older than ${maxAgeMs / 1000} s`,
        { shardId, condition: 'RecordAgeExceeded', invokes, functionError: true },
      );
    return kept;
  }

  private discard(
    records: Fetched[],
    why: string,
    how: { shardId: string; condition: DiscardCondition; invokes: number; functionError: boolean },
  ): void {
    this.stats.discarded += records.length;
    const first = records[0]!.record.dynamodb;
    const last = records[records.length - 1]!.record.dynamodb;
    const range = `${first.SequenceNumber}..${last.SequenceNumber}`;
    const arrival = (d: StreamRecord['dynamodb']) =>
      new Date(Number(d.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    let destination = '';
    if (this.spec.onFailureDestination) {
      // Lambda's on-failure record for a stream: the batch's place in the shard, not its records.
      const sent = this.deps.onFailure?.(this.spec.onFailureDestination, {
        requestContext: {
          requestId: randomUUID(),
          functionArn: this.spec.functionArn,
          condition: how.condition,
          approximateInvokeCount: how.invokes,
        },
        responseContext: {
          statusCode: 200,
          executedVersion: '$LATEST',
          ...(how.functionError ? { functionError: 'Unhandled' } : {}),
        },
        version: '1.0',
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId: how.shardId,
          startSequenceNumber: first.SequenceNumber,
          endSequenceNumber: last.SequenceNumber,
          approximateArrivalOfFirstRecord: arrival(first),
          approximateArrivalOfLastRecord: arrival(last),
          batchSize: records.length,
          streamArn: this.spec.streamArn,
        },
      });
      destination =
        typeof sent === 'object'
          ? ` (its metadata not sent to ${this.spec.onFailureDestination}: ${sent.refused}; counted in DestinationDeliveryFailures)`
          : sent
            ? ` (its metadata sent to ${this.spec.onFailureDestination})`
            : ` (its OnFailure destination ${this.spec.onFailureDestination} does not exist locally: nothing sent)`;
    }
    this.deps.log(
      `[streams] ${this.spec.uuid}: discarded ${records.length} record(s) ${range} of ${this.spec.streamArn}: ${why}${destination}`,
    );
  }

  /** Undefined on success; otherwise from where to retry (0 unless the function reported item failures) and why. */
  private async invoke(
    records: Fetched[],
  ): Promise<{ from: number; reason: string; functionError: boolean } | undefined> {
    const event = { Records: records.map((f) => lambdaRecord(f.record, this.spec.streamArn)) };
    this.stats.invocations++;
    let result: InvokeResult;
    try {
      result = await abortable(this.deps.invoke(this.spec.functionArn, event), this.signal);
    } catch (e) {
      if (e instanceof Stopped || this.signal.aborted) throw e;
      result = { ok: false, error: { errorType: (e as Error).name, errorMessage: (e as Error).message } };
    }
    if (!result.ok) {
      this.stats.failures++;
      return { from: 0, reason: `${result.error.errorType}: ${result.error.errorMessage}`, functionError: true };
    }
    const reported = this.spec.reportBatchItemFailures ? reportedFailures(result.payload) : undefined;
    if (!reported) return undefined;
    this.stats.failures++;
    const index = Math.min(
      ...reported
        .map((id) => records.findIndex((f) => f.record.dynamodb.SequenceNumber === id))
        .map((i) => (i < 0 ? 0 : i)),
    );
    return { from: index, reason: `the function reported ${reported.length} failed item(s)`, functionError: false };
  }
}

/** When a stream record was written (ms; its ApproximateCreationDateTime), or now when it has none. */
function createdAt(record: StreamRecord): number {
  const created = record.dynamodb.ApproximateCreationDateTime;
  if (typeof created === 'number') return created * 1000;
  return created !== undefined ? Date.parse(created) : Date.now();
}

/** Resolves or rejects with the promise, or rejects with the signal's reason once it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/** Every running mapping of the local cloud, by UUID, and the checkpoints of the disabled ones. */
export class StreamPollers {
  private readonly pollers = new Map<string, StreamPoller>();
  private readonly disabled = new Map<string, { spec: StreamMappingSpec; checkpoints: Map<string, ShardCheckpoint> }>();
  /** With --data-dir: where checkpoints are kept over a restart. */
  private store?: CheckpointStore;

  constructor(private readonly deps: StreamPollerDeps) {}

  /** Keeps checkpoints in `store`: a mapping started again after a restart goes on from them. */
  persist(store: CheckpointStore): void {
    this.store = store;
  }

  /** The checkpoints kept on disk for a mapping started for the first time since the restart. */
  private kept(spec: StreamMappingSpec): Map<string, ShardCheckpoint> | undefined {
    const kept = this.store?.checkpointsOf(spec);
    if (!kept) return undefined;
    this.store!.resumed++;
    // LATEST is a moment of the last run: a shard with no batch through since is read from its start,
    // without the records written before that moment.
    for (const [id, c] of kept)
      if (c.sequence === undefined && c.start === 'LATEST')
        kept.set(id, { done: c.done, start: 'TRIM_HORIZON', notBefore: c.since ?? 0 });
    return kept;
  }

  /** Starts polling; resolves once the starting position is fixed. Fails if the stream cannot be read. */
  async start(spec: StreamMappingSpec): Promise<StreamPoller> {
    if (this.pollers.has(spec.uuid)) throw new Error(`An event source mapping ${spec.uuid} already exists`);
    // A mapping enabled again goes on from its checkpoints (same stream and starting position only).
    const off = this.disabled.get(spec.uuid);
    const resume =
      off && off.spec.streamArn === spec.streamArn && off.spec.startingPosition === spec.startingPosition
        ? off.checkpoints
        : off
          ? undefined
          : this.kept(spec);
    const poller = new StreamPoller(
      spec,
      { ...this.deps, saveCheckpoint: (s, shard, checkpoint) => this.store?.save(s, shard, checkpoint) },
      resume,
    );
    await poller.start();
    this.disabled.delete(spec.uuid);
    this.pollers.set(spec.uuid, poller);
    return poller;
  }

  /**
   * Creates the mapping, or updates it as UpdateEventSourceMapping does: a running one takes the new
   * settings where it is (the same settings change nothing); a new stream or starting position
   * makes it a new mapping, which starts from its starting position.
   */
  async put(spec: StreamMappingSpec): Promise<StreamPoller> {
    const running = this.pollers.get(spec.uuid);
    if (
      running &&
      running.spec.streamArn === spec.streamArn &&
      running.spec.startingPosition === spec.startingPosition
    ) {
      running.reconfigure(spec);
      return running;
    }
    if (running) await this.stop(spec.uuid);
    return this.start(spec);
  }

  /** Stops polling and keeps the checkpoints (Enabled: false), so the mapping resumes when enabled. */
  async disable(uuid: string): Promise<void> {
    const poller = this.pollers.get(uuid);
    if (!poller) return;
    this.pollers.delete(uuid);
    await poller.stop();
    this.disabled.set(uuid, { spec: poller.spec, checkpoints: poller.checkpoints() });
  }

  get(uuid: string): StreamPoller | undefined {
    return this.pollers.get(uuid);
  }

  list(): StreamPoller[] {
    return [...this.pollers.values()];
  }

  /**
   * Redrives a batch a mapping discarded, from Lambda's on-failure record of it (what its OnFailure
   * queue holds: the batch's place in the shard, not its records), as AWS documents it: the records
   * are read again from the shard (GetShardIterator AT_SEQUENCE_NUMBER startSequenceNumber, GetRecords
   * up to endSequenceNumber), the mapping's filters applied, and the function invoked once with them
   * in Lambda's record shape. Fails when the records are no longer in the stream (24 hours).
   */
  async redrive(failure: StreamFailureRecord): Promise<InvokeResult> {
    const info = failure.DDBStreamBatchInfo;
    const functionArn = failure.requestContext.functionArn.replace(/:\$LATEST$/, '');
    const streams = (operation: string, input: Record<string, unknown>) =>
      this.deps.dynamodb.call(STREAMS_TARGET, operation, input);
    const end = BigInt(info.endSequenceNumber);
    let iterator = (
      await streams('GetShardIterator', {
        StreamArn: info.streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      })
    ).ShardIterator as string | undefined;
    const records: StreamRecord[] = [];
    while (iterator) {
      const out = await streams('GetRecords', { ShardIterator: iterator, Limit: GET_RECORDS_LIMIT });
      const page = (out.Records as StreamRecord[] | undefined) ?? [];
      for (const r of page) if (BigInt(r.dynamodb.SequenceNumber) <= end) records.push(r);
      const last = page.at(-1);
      if (page.length === 0 || (last && BigInt(last.dynamodb.SequenceNumber) >= end)) break;
      iterator = out.NextShardIterator as string | undefined;
    }
    if (records.length === 0 || records[0]!.dynamodb.SequenceNumber !== info.startSequenceNumber)
      throw new Error(
        `The records ${info.startSequenceNumber}..${info.endSequenceNumber} of shard ${info.shardId} are no longer in ${info.streamArn}.`,
      );
    const mapping = this.list().find((p) => p.spec.functionArn === functionArn && p.spec.streamArn === info.streamArn);
    const filters = mapping?.spec.filters ?? [];
    const event = {
      Records: records
        .map((r) => lambdaRecord(r, info.streamArn))
        .filter((r) => filters.length === 0 || filters.some((f) => f.matches(r))),
    };
    return this.deps.invoke(functionArn, event);
  }

  /** Deletes the mapping: polling stops, its checkpoints are forgotten. */
  async stop(uuid: string): Promise<void> {
    const poller = this.pollers.get(uuid);
    this.pollers.delete(uuid);
    this.disabled.delete(uuid);
    this.store?.forget(uuid);
    await poller?.stop();
  }

  /** The cloud stops: every poller stops, and the checkpoints on disk stay for the next start. */
  async stopAll(): Promise<void> {
    this.store?.close();
    await Promise.all([...this.pollers.keys()].map((uuid) => this.stop(uuid)));
  }
}
