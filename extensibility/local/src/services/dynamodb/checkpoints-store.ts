// Stream event source mappings keep their per-shard checkpoints over a restart and a crash when the
// data directory is the user's own (--data-dir): each checkpoint (the last record a batch got
// through, a shard read to its end, where a shard began) is appended to
// <data-dir>/streams/checkpoints.jsonl once the batch is through, and deleting a mapping forgets
// its checkpoints. At start the file is read back (a last line a crash cut short is skipped) and
// rewritten to what it holds; a mapping deployed again (same UUID, stream and starting position)
// goes on from its checkpoints: a record delivered and not checkpointed when the cloud died is
// delivered again (at least once, as AWS does), nothing checkpointed is. DynamoDB Local keeps the
// stream itself in the same directory.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';
import type { ShardCheckpoint, StreamMappingSpec } from './stream-pollers.js';

export interface KeptMapping {
  streamArn: string;
  startingPosition: StreamMappingSpec['startingPosition'];
  checkpoints: Map<string, ShardCheckpoint>;
}

type Line =
  | { m: string; a: string; p: StreamMappingSpec['startingPosition']; s: string; c: ShardCheckpoint }
  | { m: string; forget: 1 };

export class CheckpointStore {
  private fd: number;
  private closed = false;
  private readonly mappings = new Map<string, KeptMapping>();
  private appended = 0;
  private kept = 0;
  /** Mappings that went on from kept checkpoints (for `presso up`'s report). */
  resumed = 0;

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    const torn = () =>
      this.log(
        `[streams] ${file}: a half-written checkpoint (a crash cut it short) was skipped: its batch is delivered again`,
      );
    for (const line of readJsonLines<Line>(file, torn)) {
      if ('forget' in line) this.mappings.delete(line.m);
      else this.apply(line);
    }
    this.rewrite();
    this.fd = openSync(file, 'a');
  }

  /** The checkpoints kept for this mapping, if it reads the same stream from the same starting position. */
  checkpointsOf(spec: StreamMappingSpec): Map<string, ShardCheckpoint> | undefined {
    const kept = this.mappings.get(spec.uuid);
    if (!kept || kept.streamArn !== spec.streamArn || kept.startingPosition !== spec.startingPosition) return undefined;
    return new Map([...kept.checkpoints].map(([id, c]) => [id, { ...c }]));
  }

  /** Mappings with checkpoints kept. */
  get size(): number {
    return this.mappings.size;
  }

  save(spec: StreamMappingSpec, shardId: string, checkpoint: ShardCheckpoint): void {
    const line: Line = { m: spec.uuid, a: spec.streamArn, p: spec.startingPosition, s: shardId, c: checkpoint };
    if (this.closed) return;
    this.write(line, 'checkpoint');
    this.apply(line);
  }

  /** The mapping was deleted: its checkpoints go. */
  forget(uuid: string): void {
    if (this.closed || !this.mappings.has(uuid)) return;
    this.write({ m: uuid, forget: 1 }, 'forget');
    this.mappings.delete(uuid);
  }

  /** Stops writing (the cloud stopping): stopping the pollers then forgets nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private apply(line: Extract<Line, { s: string }>): void {
    let kept = this.mappings.get(line.m);
    if (!kept || kept.streamArn !== line.a || kept.startingPosition !== line.p) {
      kept = { streamArn: line.a, startingPosition: line.p, checkpoints: new Map() };
      this.mappings.set(line.m, kept);
    }
    kept.checkpoints.set(line.s, line.c);
  }

  private write(line: Line, record: string): void {
    writeRecord(this.fd, 'streams', record, JSON.stringify(line) + '\n');
    if (++this.appended > 10_000 && this.appended > 4 * this.kept) {
      closeSync(this.fd);
      this.rewrite();
      this.fd = openSync(this.file, 'a');
    }
  }

  private rewrite(): void {
    const lines: string[] = [];
    for (const [m, kept] of this.mappings)
      for (const [s, c] of kept.checkpoints)
        lines.push(JSON.stringify({ m, a: kept.streamArn, p: kept.startingPosition, s, c } satisfies Line) + '\n');
    writeFileAtomic(this.file, lines);
    this.kept = lines.length;
    this.appended = 0;
  }
}
