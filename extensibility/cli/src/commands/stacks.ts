// presso deploy / delete / stacks: one app's template as one stack on a running local cloud.
import { resolve } from 'node:path';
import { parseParameterOverrides, type StackRecord } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

/** A stack, its APIs' local URLs and routes, its Event APIs' HTTP and realtime URLs, and its outputs as usable locally (API URLs at the edge). */
export function printStack(stack: StackRecord, out: NodeJS.WritableStream): void {
  out.write(`${stack.name}  ${stack.status}  ${stack.resources.length} resources  (${stack.templateFile})\n`);
  for (const r of stack.notEmulated) out.write(`    not emulated: ${r.logicalId} (${r.type})\n`);
  for (const api of Object.values(stack.apis)) {
    out.write(`    api ${api.logicalId} (${api.kind})  ${api.url}\n`);
    for (const r of api.routes)
      out.write(`        ${r.routeKey} -> ${r.function}${r.authorizer ? `  [${r.authorizer}]` : ''}\n`);
  }
  // AppSync Events APIs: where to publish (HTTP) and subscribe (WebSocket) locally.
  for (const api of Object.values(stack.eventApis ?? {})) {
    out.write(`    event api ${api.logicalId}  namespaces: ${api.namespaces.join(', ') || 'none'}\n`);
    out.write(`        http      ${api.http}\n`);
    out.write(`        realtime  ${api.realtime}\n`);
  }
  for (const [k, v] of Object.entries(stack.localOutputs)) out.write(`    ${k} = ${v}\n`);
}

export async function deployCommand(
  endpoint: string,
  dir: string,
  options: { stackName?: string; parameterOverrides?: string[] },
  out: NodeJS.WritableStream,
): Promise<number> {
  let parameterOverrides: Record<string, string> | undefined;
  try {
    parameterOverrides = options.parameterOverrides?.length
      ? parseParameterOverrides(options.parameterOverrides)
      : undefined;
  } catch (e) {
    out.write(`presso deploy: --parameter-overrides: ${(e as Error).message}\n`);
    return 2;
  }
  out.write(`deploying ${dir} ...\n`);
  const response = await callCloud(endpoint, '/_presso/stacks', {
    method: 'POST',
    body: JSON.stringify({
      path: resolve(dir),
      ...(options.stackName ? { stackName: options.stackName } : {}),
      ...(parameterOverrides ? { parameterOverrides } : {}),
    }),
  });
  const body = (await response.json()) as { stack?: StackRecord; message?: string };
  if (!response.ok || !body.stack) {
    out.write(`presso deploy: ${body.message ?? response.statusText}\nnothing of this stack was deployed\n`);
    return 1;
  }
  printStack(body.stack, out);
  return 0;
}

export async function deleteCommand(endpoint: string, name: string, out: NodeJS.WritableStream): Promise<number> {
  const response = await callCloud(endpoint, `/_presso/stacks/${encodeURIComponent(name)}`, { method: 'DELETE' });
  const body = (await response.json()) as { message?: string };
  out.write(response.ok ? `deleted ${name}\n` : `presso delete: ${body.message}\n`);
  return response.ok ? 0 : 1;
}

export async function stacksCommand(endpoint: string, out: NodeJS.WritableStream, asJson = false): Promise<number> {
  const { stacks } = (await (await callCloud(endpoint, '/_presso/stacks')).json()) as { stacks: StackRecord[] };
  if (asJson) out.write(JSON.stringify(stacks, null, 2) + '\n');
  else if (stacks.length === 0) out.write('no stacks\n');
  else for (const s of stacks) printStack(s, out);
  return 0;
}
