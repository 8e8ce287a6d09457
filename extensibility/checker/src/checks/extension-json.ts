// meta.extension-json: the extension's extension.json exists, is valid against the schema
// (@serverlesspresso/catalog's extension.schema.json), and says what the template does: the events
// its rules consume and those it declares it puts, exactly; every AWS service the template uses
// (more may be listed: services used from code only, e.g. CloudWatch metrics); under extensions/,
// its folder's name.
import { EXTENSION_FILE, readExtensionMeta } from '@serverlesspresso/catalog';
import { isObject, type App } from '@serverlesspresso/catalog/bus';
import { type RawTemplate } from '../raw.js';
import { violationOf, type Violation } from '../violation.js';

const RESOURCE_SERVICES: Record<string, string> = {
  'AWS::Serverless::Function': 'Lambda',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::DynamoDB::Table': 'DynamoDB',
  'AWS::Serverless::SimpleTable': 'DynamoDB',
  'AWS::Serverless::StateMachine': 'Step Functions',
  'AWS::StepFunctions::StateMachine': 'Step Functions',
  'AWS::Serverless::HttpApi': 'API Gateway',
  'AWS::Serverless::Api': 'API Gateway',
  'AWS::ApiGatewayV2::Api': 'API Gateway',
  'AWS::ApiGateway::RestApi': 'API Gateway',
  'AWS::Events::Rule': 'EventBridge',
  'AWS::Scheduler::Schedule': 'EventBridge Scheduler',
  'AWS::SQS::Queue': 'SQS',
  'AWS::SNS::Topic': 'SNS',
  'AWS::S3::Bucket': 'S3',
  'AWS::Logs::LogGroup': 'CloudWatch Logs',
  'AWS::CloudWatch::Alarm': 'CloudWatch',
  'AWS::Cognito::UserPool': 'Cognito',
};
/** SAM event sources of functions and state machines. */
const EVENT_SERVICES: Record<string, string> = {
  EventBridgeRule: 'EventBridge',
  CloudWatchEvent: 'EventBridge',
  Schedule: 'EventBridge',
  ScheduleV2: 'EventBridge Scheduler',
  Api: 'API Gateway',
  HttpApi: 'API Gateway',
  DynamoDB: 'DynamoDB',
  SQS: 'SQS',
  SNS: 'SNS',
  S3: 'S3',
};

/** The AWS services the template uses: its resources' and its event sources'. */
export function templateServices(raw: RawTemplate): string[] {
  const services = new Set<string>();
  for (const r of Object.values(raw.resources)) {
    const service = RESOURCE_SERVICES[String(r.Type)];
    if (service) services.add(service);
    const events = r.Properties?.Events;
    if (isObject(events))
      for (const e of Object.values(events)) {
        const s = isObject(e) ? EVENT_SERVICES[String(e.Type)] : undefined;
        if (s) services.add(s);
      }
  }
  return [...services].sort();
}

const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const listed = (xs: string[]) => (xs.length ? xs.map((x) => JSON.stringify(x)).join(', ') : 'nothing');

export function extensionJson(app: App, raw: RawTemplate, consumes: string[], emits: string[]): Violation[] {
  const file = app.path.replace(/[^/]+$/, EXTENSION_FILE);
  const violate = (property: string, message: string, fix: string) =>
    violationOf('meta.extension-json', { file, resource: EXTENSION_FILE, property, message, fix });
  const { meta, errors } = readExtensionMeta(app.dir);
  if (!meta)
    return errors.map((e) =>
      violate(
        e.path || '(file)',
        e.message,
        'write extension.json as the model has it: name, description, author, events { consumed, produced }, services (extensibility/catalog/extension.schema.json)',
      ),
    );
  const violations: Violation[] = [];
  const folder = /^extensions\/([^/]+)\//.exec(app.path)?.[1];
  // A folder may be kebab-case (the checker's fixtures): compared without case and dashes.
  const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (folder !== undefined && bare(meta.name) !== bare(folder))
    violations.push(violate('/name', `is "${meta.name}", not the folder's name "${folder}"`, `"name": "${folder}"`));
  if (!same(meta.events.consumed, consumes))
    violations.push(
      violate(
        '/events/consumed',
        `lists ${listed(meta.events.consumed)}, but the template's rules consume ${listed(consumes)}`,
        `"consumed": ${JSON.stringify(consumes)}`,
      ),
    );
  if (!same(meta.events.produced, emits))
    violations.push(
      violate(
        '/events/produced',
        `lists ${listed(meta.events.produced)}, but the template declares it puts ${listed(emits)} (Metadata.Emits, putEvents tasks)`,
        `"produced": ${JSON.stringify(emits)}`,
      ),
    );
  const missing = templateServices(raw).filter((s) => !meta.services.includes(s));
  if (missing.length)
    violations.push(
      violate(
        '/services',
        `misses ${listed(missing)}, which the template uses`,
        `add ${listed(missing)} to "services"`,
      ),
    );
  return violations;
}
