// The root README's deploy guide ("Deploying to AWS") works the first time: every command in its
// shell blocks is run in the folder the guide is in at that point (each `cd` is followed) and checked:
// the folders and files it names exist, `sam build`/`sam deploy` run where a template is, every flag
// is one the SAM CLI or the AWS CLI operation takes (as their references list them), an AWS
// operation of an SDK client we have exists as an SDK command, and an npm script exists in its
// workspace. Nobody here can run sam or aws: this is what can be checked without them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from '@jest/globals';
import * as cognito from '@aws-sdk/client-cognito-identity-provider';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);

// SAM CLI's options per command (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference.html).
const COMMON = [
  '--config-file',
  '--config-env',
  '--profile',
  '--region',
  '--debug',
  '--beta-features',
  '--save-params',
];
const SAM_FLAGS: Record<string, string[]> = {
  build: [
    ...COMMON,
    '--use-container',
    '--cached',
    '--parallel',
    '--template-file',
    '--build-dir',
    '--base-dir',
    '--manifest',
    '--parameter-overrides',
    '--build-in-source',
    '--exclude',
  ],
  deploy: [
    ...COMMON,
    '--guided',
    '--template-file',
    '--stack-name',
    '--s3-bucket',
    '--s3-prefix',
    '--resolve-s3',
    '--capabilities',
    '--parameter-overrides',
    '--tags',
    '--no-execute-changeset',
    '--confirm-changeset',
    '--no-confirm-changeset',
    '--fail-on-empty-changeset',
    '--no-fail-on-empty-changeset',
    '--role-arn',
    '--disable-rollback',
    '--on-failure',
  ],
  delete: [...COMMON, '--stack-name', '--no-prompts', '--s3-bucket', '--s3-prefix'],
};
// The AWS CLI's parameters of the operations the guide runs (its reference, aws <service> <op> help),
// plus the global --query, --output, --region, --profile.
const AWS_GLOBAL = ['--query', '--output', '--region', '--profile'];
const AWS_FLAGS: Record<string, string[]> = {
  'cloudformation describe-stacks': ['--stack-name', '--next-token'],
  'cognito-idp admin-add-user-to-group': ['--user-pool-id', '--username', '--group-name'],
  's3 sync': ['--delete', '--exclude', '--include', '--cache-control', '--dryrun', '--exact-timestamps'],
  's3 rm': ['--recursive', '--exclude', '--include', '--dryrun', '--quiet'],
};

/** The shell blocks of the README's "Deploying to AWS" section. */
function guideBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Deploying to AWS'),
    readme.indexOf('\n## ', readme.indexOf('## Deploying to AWS') + 3),
  );
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Shell words of a command (quotes removed; what is inside $(...) is its own command). */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The commands of a line: `a && b`, and `X=$(cmd | filter)` as cmd. */
function commandsOf(line: string): string[] {
  const inner = /^[A-Z_]+=\$\((.*)\)$/.exec(line.trim());
  if (inner) return [inner[1]!.split(' | ')[0]!];
  return line.split(' && ').map((c) => c.split(' > ')[0]!.trim());
}

const pascal = (kebab: string) => kebab.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

function check(blocks: string[]): { problems: string[]; checked: string[] } {
  const problems: string[] = [];
  const checked: string[] = [];
  for (const block of blocks) {
    let cwd = ROOT;
    for (const line of block.split('\n').filter((l) => l.trim() !== '')) {
      for (const command of commandsOf(line)) {
        const w = words(command);
        const where = `${command} (in ${cwd === ROOT ? '.' : cwd.slice(ROOT.length + 1)})`;
        const flags = w.filter((x) => x.startsWith('--'));
        checked.push(w.slice(0, 2).join(' '));
        if (w[0] === 'cd') {
          cwd = resolve(cwd, w[1]!);
          if (!existsSync(cwd)) problems.push(`${where}: no folder ${w[1]}`);
        } else if (w[0] === 'sam') {
          const allowed = SAM_FLAGS[w[1]!];
          if (!allowed) problems.push(`${where}: sam has no command ${w[1]}`);
          else for (const f of flags) if (!allowed.includes(f)) problems.push(`${where}: sam ${w[1]} takes no ${f}`);
          const config = w[w.indexOf('--config-file') + 1];
          if (w.includes('--config-file') && !existsSync(resolve(cwd, config!)))
            problems.push(`${where}: no config file ${config}`);
          if ((w[1] === 'build' || w[1] === 'deploy') && !existsSync(join(cwd, 'template.yaml')))
            problems.push(`${where}: no template.yaml here`);
        } else if (w[0] === 'aws') {
          const op = `${w[1]} ${w[2]}`;
          const allowed = AWS_FLAGS[op];
          if (!allowed) problems.push(`${where}: the guide's test knows no aws ${op}: add its parameters`);
          else
            for (const f of flags)
              if (!allowed.includes(f) && !AWS_GLOBAL.includes(f)) problems.push(`${where}: aws ${op} takes no ${f}`);
          if (w[1] === 'cognito-idp' && !(`${pascal(w[2]!)}Command` in cognito))
            problems.push(`${where}: Cognito has no operation ${pascal(w[2]!)}`);
          // What it uploads is built by an earlier line: its parent folder exists.
          if (w[1] === 's3' && w[2] === 'sync' && !existsSync(resolve(cwd, w[3]!, '..')))
            problems.push(`${where}: no folder ${w[3]}/.. to upload from`);
        } else if (w[0] === 'npm' && w[1] === 'run') {
          const workspace = w[w.indexOf('-w') + 1]!;
          const pkg = workspaceNamed(workspace);
          if (!pkg) problems.push(`${where}: no workspace ${workspace}`);
          else if (!pkg.scripts?.[w[2]!]) problems.push(`${where}: ${workspace} has no script ${w[2]}`);
        } else if (w[0] === 'npx' && w[1] === 'tsx') {
          if (!existsSync(resolve(cwd, w[2]!))) problems.push(`${where}: no file ${w[2]}`);
        } else problems.push(`${where}: the guide's test does not know ${w[0]}: check it here`);
      }
    }
    if (cwd !== ROOT)
      problems.push(`a block ends in ${cwd.slice(ROOT.length + 1)}, not the repo's root: the next one starts there`);
  }
  return { problems, checked };
}

function workspaceNamed(name: string): { scripts?: Record<string, string> } | undefined {
  const dirs = [
    'core',
    'frontends',
    '_extension_model',
    ...['extensibility', 'extensions'].flatMap((d) => readdirSync(join(ROOT, d)).map((x) => `${d}/${x}`)),
  ];
  for (const dir of dirs) {
    const file = join(ROOT, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; scripts?: Record<string, string> };
    if (pkg.name === name || dir === name) return pkg;
  }
  return undefined;
}

it('every command of the deploy guide names paths that exist and flags its tool takes', () => {
  const { problems, checked } = check(guideBlocks());
  expect(problems).toEqual([]);
  // The guide covers the core, the player, an extension, the web apps, the first admin and removal.
  expect(checked).toEqual(
    expect.arrayContaining([
      'sam build',
      'sam deploy',
      'sam delete',
      'aws cognito-idp',
      'aws s3',
      'npm run',
      'npx tsx',
    ]),
  );
});

it('catches a wrong flag, a missing folder and an unknown operation', () => {
  const { problems } = check([
    'cd core && sam deploy --guided --stack-nam x --config-file ../samconfig.toml && cd ..\n' +
      'cd extensions/Nope && cd ../..\n' +
      'aws cognito-idp admin-add-user-to-groups --user-pool-id P\n',
  ]);
  expect(problems).toEqual([
    'sam deploy --guided --stack-nam x --config-file ../samconfig.toml (in core): sam deploy takes no --stack-nam',
    'cd extensions/Nope (in .): no folder extensions/Nope',
    "aws cognito-idp admin-add-user-to-groups --user-pool-id P (in .): the guide's test knows no aws cognito-idp admin-add-user-to-groups: add its parameters",
    'aws cognito-idp admin-add-user-to-groups --user-pool-id P (in .): Cognito has no operation AdminAddUserToGroups',
  ]);
});
