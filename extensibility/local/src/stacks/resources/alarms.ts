// AWS::CloudWatch::Alarm: recorded with its state, evaluated from the queue when it watches an
// AWS/SQS queue-depth metric (services/cloudwatch/alarms.ts). The properties are checked as
// PutMetricAlarm checks them, naming the property at fault.
import { COMPARISONS, type Alarms, type Comparison } from '../../services/cloudwatch/alarms.js';
import { isObject } from '../../json.js';
import { DeployError, type ResourceHandler } from '../model.js';

const TREAT_MISSING = ['missing', 'notBreaching', 'breaching', 'ignore'] as const;

export function alarmHandler(alarms: Alarms): ResourceHandler {
  const put: ResourceHandler = async (resource, ctx) => {
    const p = resource.properties;
    const fail = (property: string, message: string): never => {
      throw new DeployError(ctx.template.file, resource.logicalId, property, message);
    };
    const name = typeof p.AlarmName === 'string' ? p.AlarmName : resource.physicalId;
    if (typeof p.MetricName !== 'string' && !Array.isArray(p.Metrics))
      fail('MetricName', 'is required (or Metrics, for a metric math alarm)');
    const comparison = p.ComparisonOperator;
    if (typeof comparison !== 'string' || !Object.hasOwn(COMPARISONS, comparison))
      fail('ComparisonOperator', `must be one of ${Object.keys(COMPARISONS).join(', ')}`);
    const number = (property: string, fallback?: number, min = -Infinity): number => {
      const raw = p[property];
      if (raw === undefined && fallback !== undefined) return fallback;
      const n = Number(raw);
      if (raw === undefined || !Number.isFinite(n) || n < min)
        return fail(property, `must be a number${min > -Infinity ? ` of at least ${min}` : ''}`);
      return n;
    };
    const evaluationPeriods = number('EvaluationPeriods', undefined, 1);
    const treat = p.TreatMissingData ?? 'missing';
    if (!TREAT_MISSING.includes(treat as (typeof TREAT_MISSING)[number]))
      fail('TreatMissingData', `must be one of ${TREAT_MISSING.join(', ')}`);
    const dimensions = Array.isArray(p.Dimensions) ? p.Dimensions.filter(isObject) : [];
    const queueName = dimensions.find((d) => d.Name === 'QueueName')?.Value;
    if (alarms.has(name) && !ctx.rollbackOf) {
      // A name is unique per account and region, as PutMetricAlarm's would replace another stack's.
      const owner = alarms.list().find((a) => a.name === name);
      if (owner && owner.stack !== ctx.template.stackName)
        fail('AlarmName', `the alarm ${name} exists: stack ${owner.stack} owns it`);
    }
    alarms.put({
      name,
      stack: ctx.template.stackName,
      logicalId: resource.logicalId,
      namespace: typeof p.Namespace === 'string' ? p.Namespace : '',
      metricName: typeof p.MetricName === 'string' ? p.MetricName : '(metric math)',
      ...(typeof queueName === 'string' ? { queueName } : {}),
      comparison: comparison as Comparison,
      threshold: number('Threshold'),
      period: number('Period', 60, 10),
      evaluationPeriods,
      datapointsToAlarm: number('DatapointsToAlarm', evaluationPeriods, 1),
      treatMissingData: treat as (typeof TREAT_MISSING)[number],
    });
    const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].filter(
      (k) => Array.isArray(p[k]) && (p[k] as unknown[]).length > 0,
    );
    if (actions.length)
      ctx.log(
        `[cloudwatch] ${ctx.template.stackName}: ${resource.logicalId}: ${actions.join(', ')} are not run locally; state changes are logged`,
      );
    ctx.onDelete(() => alarms.remove(name));
  };
  return put;
}
