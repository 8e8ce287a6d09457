// One queue's messages and their lifecycle, on the local clock (`now()`, simulated milliseconds):
// delay, visibility timeout, receive counts, retention, FIFO message groups and deduplication, and
// the redrive policy's move to a dead-letter queue. Pure: no I/O, no timers; the service asks.
import { createHash, randomUUID } from 'node:crypto';
import { md5Hex, md5OfAttributes, type MessageAttributeValue } from './md5.js';

export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

export interface QueueSettings {
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  visibilityTimeout: number;
  contentBasedDeduplication: boolean;
  /** deadLetterTargetArn and maxReceiveCount, when the queue has a redrive policy. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  systemAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageSystemAttributes?: string;
  /** When it was first sent (kept through a move to a dead-letter queue, as AWS keeps it). */
  sentAt: number;
  /** When it entered this queue (retention of a standard DLQ counts from the original send). */
  enqueuedAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The receipt handle of its latest receive; older handles no longer change its visibility. */
  receipt?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  senderId: string;
  deadLetterSourceArn?: string;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  systemAttributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  deduplicationId?: string;
  senderId: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
}

export interface Received {
  message: StoredMessage;
  receipt: string;
}

/** A FIFO deduplication id seen: until when, and what a duplicate is answered. */
export interface DedupEntry {
  expiresAt: number;
  result: SendResult;
}

/**
 * Where a queue writes each change of its messages before it makes it (with --data-dir: store.ts).
 * A write that throws (a full disk) leaves the queue as it was, so nothing is acknowledged that was
 * not written.
 */
export interface QueueJournal {
  /** A message entered the queue (sent, with its FIFO deduplication id, or moved in), or came back after a failed move. */
  put(queue: Queue, message: StoredMessage, dedup?: [deduplicationId: string, entry: DedupEntry]): void;
  /** A message was received or its visibility changed. */
  update(queue: Queue, message: StoredMessage): void;
  remove(queue: Queue, messageId: string): void;
  purge(queue: Queue): void;
}

export class Queue {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly byReceipt = new Map<string, StoredMessage>();
  private readonly dedup = new Map<string, DedupEntry>();
  /** With --data-dir: where each change is written first. */
  journal?: QueueJournal;
  private sequence = 0n;
  lastPurgeAt = -Infinity;
  readonly createdAt: number;
  lastModifiedAt: number;
  policy?: string;
  redriveAllowPolicy?: string;
  /** Attributes stored as given and answered back (KMS, SSE, FIFO throughput settings, tags...). */
  readonly extra = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly fifo: boolean,
    public settings: QueueSettings,
    private readonly now: () => number,
  ) {
    this.createdAt = now();
    this.lastModifiedAt = this.createdAt;
  }

  /** Drops messages past the retention period. */
  private expire(now: number): void {
    const limit = this.settings.messageRetentionPeriod * 1000;
    for (const message of this.messages.values()) {
      if (now - message.enqueuedAt >= limit) this.remove(message);
    }
    for (const [id, entry] of this.dedup) if (entry.expiresAt <= now) this.dedup.delete(id);
  }

  private remove(message: StoredMessage): void {
    this.journal?.remove(this, message.messageId);
    this.messages.delete(message.messageId);
    if (message.receipt) this.byReceipt.delete(message.receipt);
  }

  send(input: SendInput): SendResult {
    const now = this.now();
    this.expire(now);
    let deduplicationId = input.deduplicationId;
    if (this.fifo && deduplicationId === undefined && this.settings.contentBasedDeduplication)
      deduplicationId = createHash('sha256').update(input.body, 'utf8').digest('hex');
    if (this.fifo && deduplicationId !== undefined) {
      const seen = this.dedup.get(deduplicationId);
      // A duplicate within the 5-minute window is accepted and not enqueued again: it answers with
      // the first message's id and sequence number, and the digests of what was sent now.
      if (seen) {
        const digests = resultOf({ ...digest(input), messageId: seen.result.messageId } as StoredMessage);
        return { ...digests, ...(seen.result.sequenceNumber ? { sequenceNumber: seen.result.sequenceNumber } : {}) };
      }
    }
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      ...digest(input),
      sentAt: now,
      enqueuedAt: now,
      visibleAt: now + (input.delaySeconds ?? this.settings.delaySeconds) * 1000,
      receiveCount: 0,
      senderId: input.senderId,
    };
    if (input.groupId !== undefined) message.groupId = input.groupId;
    if (this.fifo) {
      this.sequence += 1n;
      message.sequenceNumber = (18_000_000_000_000_000_000n + this.sequence).toString();
      if (deduplicationId !== undefined) message.deduplicationId = deduplicationId;
    }
    const result = resultOf(message);
    const seen =
      this.fifo && deduplicationId !== undefined ? { expiresAt: now + FIFO_DEDUP_WINDOW_MS, result } : undefined;
    try {
      this.journal?.put(this, message, seen && [deduplicationId!, seen]);
    } catch (e) {
      if (this.fifo) this.sequence -= 1n;
      throw e;
    }
    this.messages.set(message.messageId, message);
    if (seen) this.dedup.set(deduplicationId!, seen);
    return result;
  }

  /** Puts a message moved from another queue (redrive to a DLQ, or back) at the end of this one. */
  accept(message: StoredMessage, sourceArn?: string): void {
    const now = this.now();
    const moved: StoredMessage = {
      ...message,
      visibleAt: now,
      receiveCount: 0,
      enqueuedAt: this.fifo ? now : message.sentAt,
    };
    delete moved.receipt;
    delete moved.firstReceiveAt;
    if (sourceArn !== undefined) moved.deadLetterSourceArn = sourceArn;
    else delete moved.deadLetterSourceArn;
    if (this.fifo) {
      this.sequence += 1n;
      moved.sequenceNumber = (18_000_000_000_000_000_000n + this.sequence).toString();
    }
    this.journal?.put(this, moved);
    this.messages.set(moved.messageId, moved);
  }

  /**
   * Receives up to `max` visible messages and hides them for `visibilityTimeout` seconds. A
   * message already received maxReceiveCount times is handed to `deadLetter` instead (the redrive
   * policy), which returns false when the dead-letter queue is gone (the message then stays).
   */
  receive(max: number, visibilityTimeout: number | undefined, deadLetter?: (m: StoredMessage) => boolean): Received[] {
    const now = this.now();
    this.expire(now);
    const out: Received[] = [];
    // FIFO: a group with a message in flight delivers nothing more until that message is done.
    const lockedGroups = new Set<string>();
    if (this.fifo) {
      for (const m of this.messages.values())
        if (m.groupId !== undefined && m.receiveCount > 0 && m.visibleAt > now) lockedGroups.add(m.groupId);
    }
    const blockedGroups = new Set<string>();
    for (const message of this.messages.values()) {
      if (out.length >= max) break;
      if (this.fifo && message.groupId !== undefined) {
        if (lockedGroups.has(message.groupId) || blockedGroups.has(message.groupId)) continue;
        // Messages of a group come in order: a hidden earlier one holds the later ones back.
        if (message.visibleAt > now) {
          blockedGroups.add(message.groupId);
          continue;
        }
      } else if (message.visibleAt > now) continue;
      const redrive = this.settings.redrive;
      // Into the dead-letter queue first, then out of this one: a crash in between (with --data-dir)
      // leaves it in both rather than in neither.
      if (redrive && deadLetter && message.receiveCount >= redrive.maxReceiveCount && deadLetter(message)) {
        this.remove(message);
        continue;
      }
      if (message.receipt) this.byReceipt.delete(message.receipt);
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.visibleAt = now + (visibilityTimeout ?? this.settings.visibilityTimeout) * 1000;
      message.receipt = receiptHandle(this.arn, message.messageId);
      this.byReceipt.set(message.receipt, message);
      this.journal?.update(this, message);
      out.push({ message, receipt: message.receipt });
    }
    return out;
  }

  /** Deletes by receipt handle; false when the handle is not one this queue issued. */
  delete(receipt: string): boolean {
    const message = this.byReceipt.get(receipt);
    if (!message) return isReceiptOf(this.arn, receipt);
    this.remove(message);
    return true;
  }

  /**
   * Changes a received message's visibility; 'invalid' for a handle this queue never issued,
   * 'notInflight' when its message is gone or visible again.
   */
  changeVisibility(receipt: string, seconds: number): 'ok' | 'invalid' | 'notInflight' {
    const message = this.byReceipt.get(receipt);
    if (!message) return isReceiptOf(this.arn, receipt) ? 'notInflight' : 'invalid';
    const now = this.now();
    if (message.visibleAt <= now) return 'notInflight';
    this.journal?.update(this, { ...message, visibleAt: now + seconds * 1000 });
    message.visibleAt = now + seconds * 1000;
    return 'ok';
  }

  purge(): void {
    this.journal?.purge(this);
    this.messages.clear();
    this.byReceipt.clear();
  }

  /** Every visible message (for a move task or a redrive back), in order; they stay until taken. */
  visible(): StoredMessage[] {
    const now = this.now();
    this.expire(now);
    return [...this.messages.values()].filter((m) => m.visibleAt <= now);
  }

  /** Every message held, in order, without receiving any (what `presso dlq` shows). */
  peek(): StoredMessage[] {
    this.expire(this.now());
    return [...this.messages.values()];
  }

  /** Takes one message out by id (a redrive of that message); undefined when it is not here. */
  take(messageId: string): StoredMessage | undefined {
    const message = this.messages.get(messageId);
    if (message) this.remove(message);
    return message;
  }

  counts(): { visible: number; notVisible: number; delayed: number } {
    const now = this.now();
    this.expire(now);
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) notVisible++;
      else delayed++;
    }
    return { visible, notVisible, delayed };
  }

  /** What the queue holds, as it is (no expiry): what a rewrite of the journal keeps. */
  held(): { messages: StoredMessage[]; dedup: Array<[string, DedupEntry]> } {
    return { messages: [...this.messages.values()], dedup: [...this.dedup] };
  }

  /**
   * Takes the messages and deduplication ids kept on disk from before a restart (in their order),
   * receipt handles and FIFO sequence numbers included.
   */
  restore(messages: StoredMessage[], dedup: Array<[string, DedupEntry]>): void {
    for (const message of messages) {
      this.messages.set(message.messageId, message);
      if (message.receipt) this.byReceipt.set(message.receipt, message);
    }
    for (const [id, entry] of dedup) this.dedup.set(id, entry);
    for (const number of [...messages.map((m) => m.sequenceNumber), ...dedup.map(([, e]) => e.result.sequenceNumber)]) {
      if (number === undefined) continue;
      const n = BigInt(number) - 18_000_000_000_000_000_000n;
      if (n > this.sequence) this.sequence = n;
    }
  }

  /** Simulated milliseconds until a hidden message becomes visible, if any is hidden. */
  nextVisibleIn(): number | undefined {
    const now = this.now();
    let next: number | undefined;
    for (const m of this.messages.values())
      if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next === undefined ? undefined : next - now;
  }
}

/** The body and attributes of a send, with their digests. */
function digest(input: SendInput): Partial<StoredMessage> & { md5OfBody: string } {
  const out: Partial<StoredMessage> & { md5OfBody: string } = { md5OfBody: md5Hex(Buffer.from(input.body, 'utf8')) };
  const md5Attrs = md5OfAttributes(input.messageAttributes);
  if (md5Attrs) {
    out.messageAttributes = input.messageAttributes!;
    out.md5OfMessageAttributes = md5Attrs;
  }
  const md5System = md5OfAttributes(input.systemAttributes);
  if (md5System) {
    out.systemAttributes = input.systemAttributes!;
    out.md5OfMessageSystemAttributes = md5System;
  }
  return out;
}

function resultOf(m: StoredMessage): SendResult {
  return {
    messageId: m.messageId,
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    ...(m.md5OfMessageSystemAttributes ? { md5OfMessageSystemAttributes: m.md5OfMessageSystemAttributes } : {}),
    ...(m.sequenceNumber ? { sequenceNumber: m.sequenceNumber } : {}),
  };
}

// A receipt handle names its queue and message (so a handle of another queue is told apart from
// one whose message is gone) and a nonce (each receive issues a new one).
function receiptHandle(queueArn: string, messageId: string): string {
  return Buffer.from(`${queueArn} ${messageId} ${randomUUID()}`, 'utf8').toString('base64');
}

function isReceiptOf(queueArn: string, receipt: string): boolean {
  const text = Buffer.from(receipt, 'base64').toString('utf8');
  return text.startsWith(`${queueArn} `);
}
