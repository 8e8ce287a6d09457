// Type-checks every workspace in one TypeScript program: each workspace's tsconfig.json says which
// files and options; workspaces with the same options share a program, so what they share (the
// local cloud, the contract, the AWS SDK's types) is checked once rather than once per workspace
// (`tsc -p` per workspace, what `npm run typecheck -w <workspace>` still does, took several times as long).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { root, workspaceDirs } from './workspaces.js';

const dirs = workspaceDirs();

const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) };
const groups = new Map(); // options (as JSON) -> { options, files }
let problems = 0;

function report(diagnostics) {
  if (diagnostics.length === 0) return;
  problems += diagnostics.length;
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(
    format(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }),
  );
}

for (const dir of dirs) {
  const configFile = join(root, dir, 'tsconfig.json');
  if (!existsSync(configFile)) continue;
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, host);
  if (!parsed) continue;
  report(parsed.errors);
  const { configFilePath: _path, ...options } = parsed.options;
  const key = JSON.stringify(options);
  const group = groups.get(key) ?? { options: parsed.options, files: new Set() };
  for (const file of parsed.fileNames) group.files.add(file);
  groups.set(key, group);
}

for (const { options, files } of groups.values()) {
  const program = ts.createProgram({ rootNames: [...files], options });
  report(ts.getPreEmitDiagnostics(program));
}
process.exitCode = problems > 0 ? 1 : 0;
