// `presso lint [DIR...]`: would CloudFormation deploy this template? Each template is read as
// written (resource types, Ref / DependsOn / Fn::GetAtt targets), then as our loader performs the
// SAM transform (Globals merged, intrinsics resolved, SAM policies expanded) and checked against
// CloudFormation's registry schemas (spec.ts), IAM's service authorization reference (iam.ts) and
// the hygiene of good SAM templates (hygiene.ts, warnings a template may waive with a reason).
import { join, resolve } from 'node:path';
import {
  appAt,
  DEFAULT_ACCOUNT,
  discoverApps,
  repoPath,
  stackNameOf,
  templateIn,
  TemplateError,
  type App,
  type LoadedTemplate,
} from '@serverlesspresso/catalog/bus';
import { defaultResourceResolver, loadTemplate } from '@serverlesspresso/local/tooling';
import { CHECKS, type CheckId } from '../checks.js';
import { importedNames, readRaw, type RawTemplate } from '../raw.js';
import { violationOf, type Violation, type Waived } from '../violation.js';
import { applyWaivers, waiversOf } from '../waivers.js';
import { checkHygiene } from './hygiene.js';
import { checkPolicies } from './iam.js';
import { checkReferences } from './references.js';
import { SchemaValidator, type SchemaProblem } from './schema.js';
import { SAM_GENERATED, type LintSpec } from './spec.js';
import type { PropertyType, ResourceProperties } from '@aws-cdk/service-spec-types';

export interface LintReport {
  app: App;
  /** What CloudFormation or IAM would refuse: the template does not deploy. */
  errors: Violation[];
  /** Hygiene the template does not follow, waivers applied. */
  warnings: Violation[];
  /** The template's waivers of lint checks, each with the warnings it set aside. */
  waived: Waived[];
}

const CUSTOM = /^(Custom::[A-Za-z0-9_@-]+|AWS::CloudFormation::CustomResource)$/;

/** The apps whose templates deploy to AWS: the core, the EventPlayer, the model, every extension, the web apps. */
export function deployableApps(root: string): App[] {
  const apps = discoverApps(root);
  const frontends = templateIn(join(root, 'frontends'));
  if (frontends)
    apps.push({
      name: 'frontends',
      kind: 'extension',
      dir: join(root, 'frontends'),
      templateFile: frontends,
      path: repoPath(root, frontends),
    });
  return apps;
}

/** The apps in the folders given (each a folder with a template), named relative to `root`. */
export const appsIn = (dirs: string[], root: string): App[] => dirs.map((d) => appAt(resolve(d), root));

/**
 * The properties SAM copies onto the resource it generates (with their names there): they are
 * checked against that resource's CloudFormation schema, as CloudFormation will see them. The rest of
 * a SAM resource (Events, Policies, ...) is SAM's own, checked by name against SAM's specification.
 */
const SAM_PASS_THROUGH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'AWS::Serverless::Function': Object.fromEntries(
    [
      'Handler',
      'Runtime',
      'MemorySize',
      'Timeout',
      'Architectures',
      'Environment',
      'LoggingConfig',
      'Layers',
      'ReservedConcurrentExecutions',
      'EphemeralStorage',
      'FunctionName',
      'Description',
      'KmsKeyArn',
      'VpcConfig',
      'RuntimeManagementConfig',
      'SnapStart',
      'PackageType',
      'ImageConfig',
      'FileSystemConfigs',
      'RecursiveLoop',
    ].map((n) => [n, n]),
  ),
  'AWS::Serverless::StateMachine': {
    Name: 'StateMachineName',
    Type: 'StateMachineType',
    Logging: 'LoggingConfiguration',
    Tracing: 'TracingConfiguration',
    DefinitionSubstitutions: 'DefinitionSubstitutions',
  },
};

function schemaErrors(template: LoadedTemplate, raw: RawTemplate, spec: LintSpec, push: Push): void {
  for (const r of template.resources) {
    // Only what the template declares: what SAM generates is SAM's to get right.
    if (r.implicit || !(r.logicalId in raw.resources)) continue;
    const base = `Resources.${r.logicalId}.Properties`;
    const problems = (type: string, value: unknown, properties: ResourceProperties, at = base) =>
      new SchemaValidator(spec, type).object(value, properties, at, type);
    if (CUSTOM.test(r.type)) {
      if (r.properties.ServiceToken === undefined)
        push('lint.schema', r.logicalId, base, `${r.type} needs ServiceToken, which is missing`, {
          fix: 'add ServiceToken: !GetAtt MyFunction.Arn (the function that handles the custom resource)',
        });
      continue;
    }
    const schema = spec.resource(r.type);
    if (!schema) continue; // reported as an unknown type
    const found: SchemaProblem[] = [];
    if (r.type.startsWith('AWS::Serverless::')) {
      // SAM's own properties: by name, and those that are scalars by value. SAM's specification lags
      // behind SAM: what SAM copies onto the generated resource is known by that resource's schema.
      const generated = SAM_GENERATED[r.type];
      const through = SAM_PASS_THROUGH[r.type] ?? {};
      const target = generated ? spec.resource(generated) : undefined;
      const json = { type: 'json' } as const;
      const names: ResourceProperties = {
        ...Object.fromEntries(
          Object.entries(through)
            .filter(([, there]) => target?.properties[there])
            .map(([n]) => [n, { type: json }]),
        ),
        ...Object.fromEntries(
          Object.entries(schema.properties).map(([n, p]) => [n, { ...p, type: isScalar(p.type) ? p.type : json }]),
        ),
      };
      found.push(...problems(r.type, r.properties, names));
      if (target)
        for (const [name, there] of Object.entries(through)) {
          const property = target.properties[there];
          if (!property || !(name in r.properties)) continue;
          found.push(
            ...new SchemaValidator(spec, generated!).value(r.properties[name], property.type, `${base}.${name}`, name),
          );
        }
    } else found.push(...problems(r.type, r.properties, schema.properties));
    for (const p of found) push('lint.schema', r.logicalId, p.path, p.message, { fix: p.fix });
  }
}

const isScalar = (t: PropertyType): boolean =>
  t.type === 'union' ? t.types.every(isScalar) : !['ref', 'array', 'map', 'tag'].includes(t.type);

type Push = (id: CheckId, resource: string, property: string, message: string, more: { fix: string }) => void;

/**
 * The template as `presso deploy` loads it, with its parameters' defaults; an import gets a stand-in
 * value, and an attribute the local resolver does not model a placeholder (the schemas judge it).
 */
function loadForLint(app: App, raw: RawTemplate): LoadedTemplate {
  const stack = { stackName: stackNameOf(app), region: DEFAULT_ACCOUNT.region, accountId: DEFAULT_ACCOUNT.accountId };
  const base = defaultResourceResolver(stack);
  return loadTemplate(app.templateFile, {
    ...stack,
    exports: Object.fromEntries(importedNames(raw).map((n) => [n, `imported-${n}`])),
    resolver: {
      ref: (id, r) => base.ref(id, r),
      getAtt: (id, attribute, r) => {
        try {
          return base.getAtt(id, attribute, r);
        } catch {
          return `${id}.${attribute}`;
        }
      },
    },
  });
}

/** Lints one app's template. Never throws for a bad template: that is an error of the report. */
export function lintApp(app: App, spec: LintSpec): LintReport {
  const found: Violation[] = [];
  const push: Push = (id, resource, property, message, { fix }) =>
    found.push(violationOf(id, { file: app.path, resource, property, message, fix }));
  let raw: RawTemplate;
  try {
    raw = readRaw(app.templateFile);
  } catch (e) {
    push('template.loads', '(template)', '(template)', e instanceof Error ? e.message : String(e), {
      fix: 'correct the YAML where the message says',
    });
    return { app, errors: found, warnings: [], waived: [] };
  }
  let template: LoadedTemplate | undefined;
  let loadError: TemplateError | undefined;
  try {
    template = loadForLint(app, raw);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    loadError = e;
  }
  // What SAM generates (dead-letter queues, implicit APIs) may be named too.
  const generated = new Set(template?.resources.map((r) => r.logicalId).filter((id) => !(id in raw.resources)));
  const written = checkReferences(raw, spec, generated);
  for (const p of written) push(p.id, p.resource, p.path, p.message, p);
  if (!template) {
    const seen = new Set(written.map((p) => p.path));
    for (const i of loadError?.issues ?? [])
      if (!seen.has(i.property ?? ''))
        push('template.loads', i.resource ?? '(template)', i.property ?? '(template)', i.message, {
          fix: 'correct the template: `sam validate` and CloudFormation refuse it too',
        });
    return { app, errors: found, warnings: [], waived: [] };
  }
  schemaErrors(template, raw, spec, push);
  for (const p of checkPolicies(template)) push(p.id, p.resource, p.path, p.message, p);
  for (const p of checkHygiene(template)) push(p.id, p.resource, p.path, p.message, p);

  const waivers = waiversOf(raw, app.path);
  const own = waivers.waivers.filter((w) => CHECKS[w.id].rule === 'lint');
  const isWarning = (v: Violation) => CHECKS[v.id].waivable;
  const { violations: warnings, waived } = applyWaivers(found.filter(isWarning), own);
  return {
    app,
    errors: [...found.filter((v) => !isWarning(v)), ...waivers.violations],
    warnings,
    waived,
  };
}

/** "core/template.yaml: error lint.schema: OrderTable: Properties.KeySchema[0].KeyType: ...", then the fix. */
export function formatLint(v: Violation, severity: 'error' | 'warning'): string {
  const prefix = `Resources.${v.resource}.`;
  const property = v.property.startsWith(prefix) ? v.property.slice(prefix.length) : v.property;
  return `${v.file}: ${severity} ${v.id}: ${v.resource}: ${property}: ${v.message}\n    fix: ${v.fix}`;
}
