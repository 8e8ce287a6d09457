// Keeps Metadata.Emits honest, as far as reading the template and the code can. A function that may
// put events on the bus must declare what it puts, one that declares must be allowed to, and every
// declared detail-type must occur in the handler's code (bundled as `sam build` would, with the local
// Lambda runtime's esbuild options; a family by its fixed prefix and the word of its suffix, e.g.
// "OrderManager.Order" and "COMPLETED"). The other way round, a detail-type named in the code is no
// proof that the function puts it (a handler that labels or filters events names them all), so
// what a function puts beyond its declaration is caught where it runs: the contract checker's
// rule 3 compares what an extension puts with what it declares.
import { dirname, join, relative, resolve } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { BUS_NAME } from '../contract.js';
import type { App } from './apps.js';
import type { Finding } from './findings.js';
import { esbuildOptions, parseHandler, type LoadedResource, type LoadedTemplate } from './local.js';
import { declaredEmits } from './producers.js';
import { busNameOf } from './rules.js';

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

type Statement = { Effect?: unknown; Action?: unknown; Resource?: unknown };
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The IAM statements a function's role holds, as far as the template says: SAM Policies or an IAM role of the same template. */
export function statementsOf(r: LoadedResource, template: LoadedTemplate): Statement[] {
  const out: Statement[] = [];
  for (const policy of r.sam?.policies ?? []) {
    if (policy.kind === 'document') out.push(...(list(policy.document.Statement) as Statement[]));
    if (policy.kind === 'template' && policy.template === 'EventBridgePutEventsPolicy') {
      const bus = String(policy.parameters.EventBusName ?? '');
      out.push({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: bus.startsWith('arn:') ? bus : `arn:aws:events:*:*:event-bus/${bus}`,
      });
    }
    if (policy.kind === 'managed' && /EventBridgeFullAccess|PowerUserAccess|AdministratorAccess/.test(policy.policy))
      out.push({ Effect: 'Allow', Action: 'events:*', Resource: '*' });
  }
  const roleArn = r.properties.Role;
  if (typeof roleArn === 'string') {
    for (const role of template.resources.filter(
      (x) => x.type === 'AWS::IAM::Role' && roleArn.endsWith(`/${x.physicalId}`),
    )) {
      for (const p of list(role.properties.Policies) as Array<{ PolicyDocument?: { Statement?: unknown } }>)
        out.push(...(list(p.PolicyDocument?.Statement) as Statement[]));
    }
  }
  return out;
}

/** Whether the statements allow events:PutEvents on the Serverlesspresso bus. */
export function mayPutOnBus(statements: Statement[]): boolean {
  return statements.some((s) => {
    if (s.Effect !== 'Allow') return false;
    const actions = list(s.Action).map((a) => String(a).toLowerCase());
    if (!actions.some((a) => a === '*' || a === 'events:*' || a === 'events:putevents')) return false;
    return list(s.Resource).some((res) => {
      const text = String(res);
      return text === '*' || (text.includes(':event-bus/') && [BUS_NAME, '*'].includes(busNameOf(text)));
    });
  });
}

/** The esbuild options `sam build` would use for the function, or undefined when its code is not local. */
function buildOptionsOf(r: LoadedResource, templateFile: string): BuildOptions | undefined {
  const codeUri =
    typeof r.properties.CodeUri === 'string'
      ? r.properties.CodeUri
      : typeof r.properties.Code === 'string'
        ? r.properties.Code
        : '.';
  const handler = typeof r.properties.Handler === 'string' ? r.properties.Handler : undefined;
  if (!handler) return undefined;
  const base = resolve(dirname(templateFile), codeUri);
  const { module } = parseHandler(handler);
  const properties = (r.metadata?.BuildProperties ?? {}) as Record<string, unknown>;
  // Without esbuild SAM ships the folder as it is: bundling from the handler's module reads the same code.
  return esbuildOptions(
    base,
    join(base, '.aws-sam', 'presso-emits'),
    module,
    r.metadata?.BuildMethod === 'esbuild' ? properties : {},
  );
}

const bundles = new Map<string, string>();

/** The handler's bundle as text, without npm packages (detail-types live in the app's own code); cached per build. */
export function bundleText(options: BuildOptions): string {
  const key = JSON.stringify([options.absWorkingDir, options.entryPoints]);
  let text = bundles.get(key);
  if (text === undefined) {
    const result = buildSync({
      ...options,
      write: false,
      minify: false,
      sourcemap: false,
      metafile: false,
      packages: 'external',
      format: 'esm',
      banner: {},
    });
    text = result.outputFiles.map((f) => f.text).join('\n');
    bundles.set(key, text);
  }
  return text;
}

/** Whether the code names this detail-type (a family by its prefix and the word of its suffix). */
export function codeNames(code: string, detailType: string): boolean {
  const family = /^(.*)\{[A-Za-z0-9_]+\}(.*)$/.exec(detailType);
  if (!family) return [`"${detailType}"`, `'${detailType}'`, `\`${detailType}\``].some((q) => code.includes(q));
  const [, prefix, suffix] = family as unknown as [string, string, string];
  const word = suffix.replace(/^[^A-Za-z0-9]+/, '');
  return ['"', "'", '`'].some((q) => code.includes(q + prefix)) && (word === '' || code.includes(word));
}

/** Findings for every function whose Metadata.Emits disagrees with its permissions or its code. */
export function checkEmits(app: App, template: LoadedTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const r of template.resources.filter((x) => FUNCTION_TYPES.has(x.type))) {
    const declared = declaredEmits(app, r, []);
    const property = `Resources.${r.logicalId}.Metadata.Emits`;
    const mayPut = mayPutOnBus(statementsOf(r, template));
    if (mayPut && declared.length === 0) {
      findings.push({
        file: app.path,
        resource: r.logicalId,
        property,
        message: `may put events on the ${BUS_NAME} bus (its policies allow events:PutEvents) but does not declare which`,
        fix: 'list the detail-types the handler puts under Metadata: Emits: [...], so the catalog names this function as their producer',
      });
    }
    if (!mayPut && declared.length > 0) {
      findings.push({
        file: app.path,
        resource: r.logicalId,
        property,
        message: `declares Emits but may not put events on the ${BUS_NAME} bus`,
        fix: "allow events:PutEvents on the bus for exactly these detail-types (a Statement with the events:source and events:detail-type conditions: as the checker's 1.put-events-condition asks), or remove Emits",
      });
    }
    if (declared.length === 0 && !mayPut) continue;
    let options: BuildOptions | undefined;
    try {
      options = buildOptionsOf(r, app.templateFile);
    } catch (e) {
      findings.push({
        file: app.path,
        resource: r.logicalId,
        property: `Resources.${r.logicalId}.Properties.Handler`,
        message: `the handler's source cannot be found, so Emits cannot be checked: ${(e as Error).message}`,
        fix: "set CodeUri and Handler (or Metadata.BuildProperties.EntryPoints) to the handler's source",
      });
      continue;
    }
    if (!options) continue; // no Handler: not a function with local code
    const code = bundleText(options);
    const entryPoint = resolve(String(options.absWorkingDir), String((options.entryPoints as string[])[0]));
    declared.forEach((d) => {
      if (!codeNames(code, d.detailType)) {
        findings.push({
          file: app.path,
          resource: r.logicalId,
          property: d.property,
          message: `declares "${d.detailType}" but its code (${relative(dirname(app.templateFile), entryPoint)}) never names it`,
          fix: 'remove it from Emits, or put it from the handler',
        });
      }
    });
  }
  return findings;
}
