// Template hygiene the best SAM projects follow, as warnings a template may waive with a reason
// (Metadata.Checks.Waive): each function's log group declared with a retention (else Lambda creates
// one that keeps logs forever, outside the stack), and tracing on (X-Ray) for functions and state
// machines. The third, no "*" where the action takes a resource type, is iam.ts's.
import { isObject, type LoadedTemplate } from '@serverlesspresso/catalog/bus';

export type HygieneCheckId = 'lint.log-retention' | 'lint.tracing';

export interface HygieneProblem {
  id: HygieneCheckId;
  resource: string;
  path: string;
  message: string;
  fix: string;
}

const FUNCTIONS = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

export function checkHygiene(template: LoadedTemplate): HygieneProblem[] {
  const problems: HygieneProblem[] = [];
  const retained = new Set(
    template.resources
      .filter((r) => r.type === 'AWS::Logs::LogGroup' && r.properties.RetentionInDays !== undefined)
      .map((r) => String(r.properties.LogGroupName ?? r.physicalId)),
  );
  for (const r of template.resources) {
    if (r.implicit) continue;
    const base = `Resources.${r.logicalId}.Properties`;
    const p = r.properties;
    if (FUNCTIONS.has(r.type)) {
      const logging = isObject(p.LoggingConfig) ? p.LoggingConfig : {};
      const group = typeof logging.LogGroup === 'string' ? logging.LogGroup : `/aws/lambda/${r.physicalId}`;
      if (!retained.has(group))
        problems.push({
          id: 'lint.log-retention',
          resource: r.logicalId,
          path: base,
          message: `no log group with a retention is declared for its logs (${group}): Lambda creates one that keeps them forever, and deleting the stack leaves it`,
          fix: `add ${r.logicalId}LogGroup: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: !Sub '/aws/lambda/\${${r.logicalId}}', RetentionInDays: 14 } }`,
        });
      const tracing =
        r.type === 'AWS::Serverless::Function'
          ? p.Tracing
          : isObject(p.TracingConfig)
            ? p.TracingConfig.Mode
            : undefined;
      if (tracing !== 'Active')
        problems.push({
          id: 'lint.tracing',
          resource: r.logicalId,
          path: r.type === 'AWS::Serverless::Function' ? `${base}.Tracing` : `${base}.TracingConfig`,
          message: 'tracing is off: its calls do not show in X-Ray',
          fix:
            r.type === 'AWS::Serverless::Function'
              ? 'set Tracing: Active (in Globals.Function for every function)'
              : 'set TracingConfig: { Mode: Active }',
        });
    }
    if (r.type === 'AWS::Serverless::StateMachine' || r.type === 'AWS::StepFunctions::StateMachine') {
      const key = r.type === 'AWS::Serverless::StateMachine' ? 'Tracing' : 'TracingConfiguration';
      const t = p[key];
      if (!(isObject(t) && (t.Enabled === true || t.Enabled === 'true')))
        problems.push({
          id: 'lint.tracing',
          resource: r.logicalId,
          path: `${base}.${key}`,
          message: 'tracing is off: its executions do not show in X-Ray',
          fix: `set ${key}: { Enabled: true }`,
        });
    }
  }
  return problems;
}
