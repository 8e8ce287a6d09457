// presso iam [ROLE]: per role, the actions it used, the grants it never used (candidates for least
// privilege) and the calls it was denied, from the running local cloud.
import type { RoleReport } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

export async function iamCommand(
  endpoint: string,
  role: string | undefined,
  out: NodeJS.WritableStream,
  asJson = false,
): Promise<number> {
  const query = role ? `?role=${encodeURIComponent(role)}` : '';
  const report = (await (await callCloud(endpoint, `/_presso/iam${query}`)).json()) as {
    mode: string;
    roles: RoleReport[];
  };
  if (asJson) {
    out.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  out.write(`IAM mode: ${report.mode}\n`);
  if (role && report.roles.length === 0) {
    out.write(`no role matches ${role}\n`);
    return 1;
  }
  for (const r of report.roles) {
    out.write(`\n${r.role} (stack ${r.stack})\n`);
    out.write(`  used:\n`);
    for (const u of r.used) out.write(`    ${u.action} ${u.resource} x${u.count}\n`);
    if (!r.used.length) out.write(`    nothing yet\n`);
    out.write(`  grants never used:\n`);
    for (const g of r.unusedGrants) out.write(`    ${g.statement}: ${JSON.stringify(g.document)}\n`);
    if (!r.unusedGrants.length) out.write(`    none\n`);
    out.write(`  denied:\n`);
    for (const d of r.denied) out.write(`    ${d.at} ${d.enforced ? '' : '(audit) '}${d.message}\n`);
    if (!r.denied.length) out.write(`    none\n`);
  }
  return 0;
}
