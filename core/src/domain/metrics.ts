// Business metrics as CloudWatch Embedded Metric Format (EMF) documents: one JSON object written to
// the log makes CloudWatch extract the metrics, no PutMetricData call and no client library.
// Structure (the EMF specification): a root object with
//   _aws: { Timestamp: epoch ms, CloudWatchMetrics: [{ Namespace, Dimensions: [[dimension names]], Metrics: [{ Name, Unit }] }] }
// and, at the root, a string value per dimension name and a number per metric name; other root members
// are kept as searchable log fields. At most 30 dimensions per set and 100 metrics per directive.
import type { Order } from './order.js';

export const METRICS_NAMESPACE = 'Serverlesspresso';

/** The EMF units used here (a subset of CloudWatch's). */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None';

export interface EmfMetricDefinition {
  Name: string;
  Unit: EmfUnit;
}

export interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: EmfMetricDefinition[];
}

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
  [member: string]: unknown;
}

export const EMF_LIMITS = { dimensionsPerSet: 30, metricsPerDirective: 100, namespaceLength: 255 } as const;

export interface EmfInput {
  timestamp: number;
  /** Dimension values by name; each must be a non-empty string. */
  dimensions: Record<string, string>;
  /** Which combinations to publish; default: all dimensions as one set. */
  dimensionSets?: string[][];
  metrics: { name: string; unit: EmfUnit; value: number }[];
  /** Extra log fields, not metrics (e.g. orderId: high cardinality, fine in logs, ruinous as a dimension). */
  properties?: Record<string, unknown>;
  namespace?: string;
}

/** Builds an EMF document; throws on input the specification rejects (CloudWatch would drop it silently). */
export function emfDocument(input: EmfInput): EmfDocument {
  const namespace = input.namespace ?? METRICS_NAMESPACE;
  if (namespace === '' || namespace.length > EMF_LIMITS.namespaceLength)
    throw new RangeError(`EMF namespace must be 1 to ${EMF_LIMITS.namespaceLength} characters`);
  if (!Number.isFinite(input.timestamp) || input.timestamp < 0)
    throw new RangeError(`EMF Timestamp must be epoch milliseconds, got ${input.timestamp}`);
  const sets = input.dimensionSets ?? [Object.keys(input.dimensions)];
  for (const set of sets) {
    if (set.length > EMF_LIMITS.dimensionsPerSet)
      throw new RangeError(
        `an EMF dimension set has at most ${EMF_LIMITS.dimensionsPerSet} dimensions, got ${set.length}`,
      );
    for (const name of set) {
      const value = input.dimensions[name];
      if (typeof value !== 'string' || value === '')
        throw new RangeError(`EMF dimension ${name} needs a non-empty string value`);
    }
  }
  if (input.metrics.length === 0 || input.metrics.length > EMF_LIMITS.metricsPerDirective) {
    throw new RangeError(
      `an EMF directive has 1 to ${EMF_LIMITS.metricsPerDirective} metrics, got ${input.metrics.length}`,
    );
  }
  const values: Record<string, number> = {};
  for (const m of input.metrics) {
    if (!Number.isFinite(m.value)) throw new RangeError(`EMF metric ${m.name} needs a finite number, got ${m.value}`);
    if (m.name in input.dimensions || m.name in values) throw new RangeError(`EMF member ${m.name} is defined twice`);
    values[m.name] = m.value;
  }
  return {
    ...input.properties,
    ...input.dimensions,
    ...values,
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: sets.map((s) => [...s]),
          Metrics: input.metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
  };
}

export const METRIC_NAMES = {
  created: 'OrdersCreated',
  completed: 'OrdersCompleted',
  cancelled: 'OrdersCancelled',
  timedOut: 'OrdersTimedOut',
  failed: 'OrdersFailed',
  timeToComplete: 'TimeToComplete',
} as const;

interface OrderMetricInput {
  eventId: string;
  /** Unknown until the customer orders: then only the per-event figure is published. */
  drink?: string;
  orderId?: string;
  at: number;
}

// Per event, and per event and drink when the drink is known: "how many at NYC" and "how many Flat Whites at NYC".
function orderDocument(
  input: OrderMetricInput,
  metrics: EmfInput['metrics'],
  properties: Record<string, unknown> = {},
): EmfDocument {
  const withDrink = input.drink !== undefined && input.drink !== '';
  return emfDocument({
    timestamp: input.at,
    dimensions: withDrink ? { eventId: input.eventId, drink: input.drink as string } : { eventId: input.eventId },
    dimensionSets: withDrink ? [['eventId'], ['eventId', 'drink']] : [['eventId']],
    metrics,
    properties: input.orderId === undefined ? properties : { orderId: input.orderId, ...properties },
  });
}

/** A new order (QR code accepted, workflow started). */
export const orderCreatedMetrics = (input: OrderMetricInput): EmfDocument =>
  orderDocument(input, [{ name: METRIC_NAMES.created, unit: 'Count', value: 1 }]);

/** A completed order; with how long it took, when known. */
export function orderCompletedMetrics(input: OrderMetricInput & { timeToCompleteMs?: number }): EmfDocument {
  const metrics: EmfInput['metrics'] = [{ name: METRIC_NAMES.completed, unit: 'Count', value: 1 }];
  if (input.timeToCompleteMs !== undefined)
    metrics.push({ name: METRIC_NAMES.timeToComplete, unit: 'Milliseconds', value: input.timeToCompleteMs });
  return orderDocument(input, metrics);
}

/** A cancelled order; reason is a log field (customer, barista, timeout). */
export const orderCancelledMetrics = (input: OrderMetricInput & { reason: string }): EmfDocument =>
  orderDocument(input, [{ name: METRIC_NAMES.cancelled, unit: 'Count', value: 1 }], { reason: input.reason });

/** A timed-out order, also counted as cancelled: OrdersTimedOut is the part of OrdersCancelled nobody chose. */
export const orderTimedOutMetrics = (input: OrderMetricInput & { cause: string }): EmfDocument =>
  orderDocument(
    input,
    [
      { name: METRIC_NAMES.timedOut, unit: 'Count', value: 1 },
      { name: METRIC_NAMES.cancelled, unit: 'Count', value: 1 },
    ],
    { reason: 'timeout', cause: input.cause },
  );

/** An order its workflow failed (status FAILED), with the failure's error name. */
export const orderFailedMetrics = (input: OrderMetricInput & { error: string }): EmfDocument =>
  orderDocument(input, [{ name: METRIC_NAMES.failed, unit: 'Count', value: 1 }], { error: input.error });

/** Its workflow started (it holds the customer wait's token): only such an order counts. */
const started = (order: Order | undefined): boolean => order?.orderTaskToken !== undefined;

/**
 * The metrics of a change of an order (old and new image, as for eventsForChange): created when its
 * workflow starts; completed, cancelled, timed out or failed when it finishes. An order the workflow never
 * started counts nowhere: one a robot's drink created early counts once its start arrives (with its
 * cancellation, if it was cancelled meanwhile), and one the workflow refused never does. TimeToComplete
 * runs from the drink order (the wait the customer feels) or, without one, from creation.
 */
export function metricsForChange(before: Order | undefined, after: Order): EmfDocument[] {
  if (before && before.version === after.version) return [];
  if (!started(after)) return [];
  const base = {
    eventId: after.eventId,
    orderId: after.orderId,
    ...(after.drinkOrder ? { drink: after.drinkOrder.drink } : {}),
  };
  const docs: EmfDocument[] = [];
  if (!started(before)) docs.push(orderCreatedMetrics({ ...base, at: after.createdAt }));
  if (after.status === 'COMPLETED' && before?.status !== 'COMPLETED') {
    const at = after.completedAt ?? after.updatedAt;
    docs.push(
      orderCompletedMetrics({
        ...base,
        at,
        timeToCompleteMs: Math.max(0, at - (after.submittedAt ?? after.createdAt)),
      }),
    );
  }
  if (after.status === 'CANCELLED' && !(before?.status === 'CANCELLED' && started(before))) {
    const at = after.cancelledAt ?? after.updatedAt;
    if (after.reason === 'timeout')
      docs.push(orderTimedOutMetrics({ ...base, at, cause: after.timeoutCause ?? 'unknown' }));
    else docs.push(orderCancelledMetrics({ ...base, at, reason: after.reason ?? 'unknown' }));
  }
  if (after.status === 'FAILED' && !(before?.status === 'FAILED' && started(before)))
    docs.push(
      orderFailedMetrics({ ...base, at: after.failedAt ?? after.updatedAt, error: after.failure?.error ?? 'unknown' }),
    );
  return docs;
}
