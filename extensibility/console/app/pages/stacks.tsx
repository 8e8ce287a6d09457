// Stacks: each deployed stack with its resources, outputs, APIs (routes and local URLs), AppSync
// Events APIs, alarms, what is not emulated, and its roles' denied calls (the IAM report).
import { admin, type Stack } from '../api.js';
import { link, Problem, Section, useLoad } from '../ui.js';

/** The console's page of a resource, where it has one. */
function ResourceLink({ type, physicalId }: { type: string; physicalId: string }) {
  const page = /StateMachine$/.test(type)
    ? link('states', physicalId)
    : /^AWS::(DynamoDB::Table|Serverless::SimpleTable)$/.test(type)
      ? link('dynamodb', physicalId)
      : /Function$/.test(type) && !/CloudFront/.test(type)
        ? link('lambda', physicalId.split(':').pop()!)
        : /^AWS::Events::EventBus$/.test(type)
          ? link('bus', physicalId.split('/').pop()!)
          : undefined;
  return page ? <a href={page}>{physicalId}</a> : <>{physicalId}</>;
}

interface RoleReport {
  role: string;
  stack: string;
  denied: Array<{ action: string; resource: string; message: string; at: string; enforced: boolean }>;
}

export function StacksPage() {
  const [stacks, error] = useLoad(() => admin<{ stacks: Stack[] }>('stacks').then((r) => r.stacks), []);
  const [iam] = useLoad(() => admin<{ mode: string; roles: RoleReport[] }>('iam'), []);
  return (
    <>
      <h1>Stacks</h1>
      <Problem text={error} />
      {stacks && stacks.length === 0 && <p>No stack is deployed. Deploy one with presso deploy DIR.</p>}
      {stacks?.map((stack) => {
        const roles = iam?.roles.filter((r) => r.stack === stack.name && r.denied.length > 0) ?? [];
        return (
          <article class="card" aria-labelledby={`stack-${stack.name}`}>
            <h2 id={`stack-${stack.name}`}>{stack.name}</h2>
            <p class="muted">
              {stack.status}, deployed {new Date(stack.deployedAt).toLocaleString()} from {stack.templateFile}
            </p>
            {Object.keys(stack.outputs).length > 0 && (
              <Section title="Outputs">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Output</th>
                      <th scope="col">Value (local)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(stack.outputs).map(([key, value]) => (
                      <tr>
                        <th scope="row">{key}</th>
                        <td class="mono">{stack.localOutputs[key] ?? value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            )}
            {Object.values(stack.apis).map((api) => (
              <Section title={`${api.kind} API ${api.logicalId}`}>
                <p>
                  <a href={api.url}>{api.url}</a>
                </p>
                <ul class="routes">
                  {api.routes.map((r) => (
                    <li>
                      <code>{r.routeKey}</code> → {r.function}
                      {r.authorizer ? ` (authorizer ${r.authorizer})` : ''}
                    </li>
                  ))}
                </ul>
              </Section>
            ))}
            {stack.alarms && stack.alarms.length > 0 && (
              <Section title="Alarms">
                <ul>
                  {stack.alarms.map((a) => (
                    <li>
                      {a.name}: <strong>{a.state}</strong> {a.reason}
                    </li>
                  ))}
                </ul>
              </Section>
            )}
            <details>
              <summary>{stack.resources.length} resources</summary>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Logical id</th>
                    <th scope="col">Type</th>
                    <th scope="col">Physical id</th>
                  </tr>
                </thead>
                <tbody>
                  {stack.resources.map((r) => (
                    <tr>
                      <td>{r.logicalId}</td>
                      <td>{r.type}</td>
                      <td class="mono">
                        <ResourceLink type={r.type} physicalId={r.physicalId} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
            {stack.notEmulated.length > 0 && (
              <Section title="Not emulated">
                <ul>
                  {stack.notEmulated.map((r) => (
                    <li>
                      {r.logicalId} ({r.type})
                    </li>
                  ))}
                </ul>
              </Section>
            )}
            <Section title={`IAM denials (${iam?.mode ?? '…'})`}>
              {roles.length === 0 ? (
                <p class="muted">No call of this stack's roles was denied.</p>
              ) : (
                roles.map((r) => (
                  <details open>
                    <summary>
                      {r.role}: {r.denied.length} denied
                    </summary>
                    <ul>
                      {r.denied.slice(-20).map((d) => (
                        <li>{d.message}</li>
                      ))}
                    </ul>
                  </details>
                ))
              )}
            </Section>
          </article>
        );
      })}
    </>
  );
}
