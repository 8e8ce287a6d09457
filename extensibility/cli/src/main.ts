// presso: one command line for the contract, the local cloud and the EventPlayer.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ENDPOINT } from './endpoint.js';
import { validateCommand } from './commands/validate.js';
import { upCommand } from './commands/up.js';
import { defaultApps, repoRoot } from './apps.js';
import { eventsCommand } from './commands/events.js';
import { statsCommand } from './commands/stats.js';
import { costCommand } from './commands/cost.js';
import { iamCommand } from './commands/iam.js';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq.js';
import { deleteCommand, deployCommand, stacksCommand } from './commands/stacks.js';
import { executionsCommand } from './commands/executions.js';
import { playCommand } from './commands/play.js';
import { tokenCommand } from './commands/token.js';
import { catalogCommand } from './commands/catalog.js';
import { checkCommand } from './commands/check.js';
import { lintCommand } from './commands/lint.js';
import { testCommand } from './commands/test.js';
import { newExtensionCommand } from './commands/new-extension.js';
import { newEventCommand } from './commands/new-event.js';
import { usersGroupCommand, usersListCommand } from './commands/users.js';
import { repoRootOf } from '@serverlesspresso/checker';

const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
  return n;
};
const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got "${value}"`);
  return n;
};
const endpointOption = () => new Option('--endpoint <url>', 'the local cloud edge').default(DEFAULT_ENDPOINT);

const program = new Command('presso').description(
  'Serverlesspresso developer tool: the event contract, the local cloud, the EventPlayer.',
);

program
  .command('validate')
  .description('validate EventBridge envelopes against the Serverlesspresso contract')
  .argument('<file>', 'a JSON array of envelopes, or JSON Lines (one envelope per line); "-" reads standard input')
  .action(async (file: string) => {
    process.exitCode = await validateCommand(file, process.stdout);
  });

program
  .command('catalog')
  .description("generate the events catalog (Markdown and HTML) from the contract and the apps' templates")
  .option('--out <dir>', 'write CATALOG.md and catalog.html here (default: extensibility/catalog of the repo)')
  .option('--check', 'write nothing; exit 1 when the committed catalog is stale')
  .option('--root <dir>', 'the repo (default: the one around the working directory)')
  .action((options: { out?: string; check?: boolean; root?: string }) => {
    process.exitCode = catalogCommand({ ...options, root: options.root ?? repoRootOf(process.cwd()) }, process.stdout);
  });

program
  .command('check')
  .description(
    'check an extension against the contract: rule 1, only its own resources; rule 2, routes events of the contract; with --isolation rule 3, deploys and deletes alone beside the core',
  )
  .argument('<dir>', 'the extension folder (with template.yaml)')
  .option(
    '--isolation',
    'also run rule 3: start a local cloud of its own (needs Java), deploy the core, then the extension beside it',
  )
  .option('--json', 'print the report as JSON')
  .option('--root <dir>', 'the repo whose core the extension must not touch (default: the one around DIR)')
  .action(async (dir: string, options: { json?: boolean; root?: string; isolation?: boolean }) => {
    process.exitCode = await checkCommand(dir, options, process.stdout);
  });

program
  .command('lint')
  .description(
    "would CloudFormation deploy it: each template against CloudFormation's registry schemas and IAM's service authorization reference, with hygiene warnings (default: every app of the repo)",
  )
  .argument(
    '[dirs...]',
    'app folders, each with its template.yaml (default: the core, the EventPlayer, the model, every extension, frontends)',
  )
  .option('--json', 'print the reports as JSON')
  .option('--root <dir>', 'the repo (default: the one around the working directory)')
  .action(async (dirs: string[], options: { json?: boolean; root?: string }) => {
    process.exitCode = await lintCommand(
      dirs,
      { ...options, root: options.root ?? repoRootOf(process.cwd()) },
      process.stdout,
    );
  });

program
  .command('test')
  .description(
    "what a pull request of one extension needs: its type-check, lint and format, its tests and the contract's, the checker's rules 1-3 and the catalog's staleness (npm test -w extensions/<Name>)",
  )
  .argument('[dir]', 'the extension folder (default: the working directory)', '.')
  .option('--root <dir>', 'the repo (default: the one around DIR)')
  .action(async (dir: string, options: { root?: string }) => {
    const root = options.root ?? repoRootOf(dir);
    process.exitCode = (await testCommand(dir, { root }, process.stdout)).code;
  });

program
  .command('new-extension')
  .description(
    'copy _extension_model/ to extensions/<Name>/ with its names changed, and register the workspace (npm run new-extension -- <Name>)',
  )
  .argument('<name>', "the extension's name, PascalCase (e.g. OrderMetrics)")
  .option('--author <author>', 'the author for the README meta, e.g. "Ana Diaz (@anadiaz)"')
  .option('--no-install', 'do not run npm install (the lock file then lacks the workspace: run it before committing)')
  .option(
    '--emits <detail-type>',
    'put this event of the contract (its own, from presso new-event) for each completed order: declared, allowed, put and tested',
  )
  .option('--root <dir>', 'the repo (default: the one around the working directory)')
  .action((name: string, options: { author?: string; install: boolean; root?: string; emits?: string }) => {
    process.exitCode = newExtensionCommand(
      name,
      { ...options, root: options.root ?? repoRootOf(process.cwd()) },
      process.stdout,
    );
  });

program
  .command('new-event')
  .description(
    "add an event to the contract: its schema (eventId, Message, x-owner, as the contract's conventions want) and a complete example, then the generated types and the catalog; prints what the template needs",
  )
  .argument('<detail-type>', 'the new detail-type, <App>.<Name> (e.g. FreeRefill.RefillEarned)')
  .option('--owner <app>', "the app that puts it: core or an extension's name (default: <App>)")
  .option('--description <text>', 'what happened, in one sentence (default: a TODO to fill in)')
  .option('--no-catalog', 'do not regenerate the events catalog (run npx presso catalog later)')
  .option('--root <dir>', 'the repo (default: the one around the working directory)')
  .action(
    async (detailType: string, options: { owner?: string; description?: string; catalog: boolean; root?: string }) => {
      process.exitCode = await newEventCommand(
        detailType,
        { ...options, root: options.root ?? repoRootOf(process.cwd()) },
        process.stdout,
      );
    },
  );

program
  .command('up')
  .description(
    'start the local cloud: one AWS-compatible edge endpoint (EventBridge, Step Functions, Lambda, ...), then deploy the given apps',
  )
  .argument(
    '[dirs...]',
    'app folders (or templates) to deploy, each as its own stack; default: every app of the repo (core, EventPlayer, extensions)',
  )
  .option('--no-apps', 'deploy nothing: just the local cloud')
  .option('--no-web-apps', 'do not build or serve the web apps (frontends/) under <edge>/apps/')
  .option('--watch', 'deploy an app again when its files change (its stack is updated in place)')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'edge port (0 picks a free one)', port, 4566)
  .option(
    '--data-dir <dir>',
    'keep state (event archive, DynamoDB tables, ...) in this directory; by default a temporary one, with tables in memory',
  )
  .option(
    '--journal-sync',
    'with --data-dir: flush each Step Functions journal record to the disk before the execution goes on (survives a crash of the machine, not only of the process; slower)',
  )
  .option(
    '--speed <factor>',
    'time scale: waits, timeouts and retry intervals are divided by it',
    positiveNumber('speed'),
    1,
  )
  .addOption(
    new Option('--event-size-limit <limit>', 'PutEvents request size limit')
      .choices(['current', 'legacy'])
      .default('current'),
  )
  .addOption(
    new Option(
      '--iam <mode>',
      "IAM: enforce refuses a function's call its role does not allow, audit answers it and logs the denial, off checks nothing",
    )
      .choices(['enforce', 'audit', 'off'])
      .default('enforce'),
  )
  .action(
    async (
      dirs: string[],
      options: {
        iam: 'enforce' | 'audit' | 'off';
        host: string;
        port: number;
        dataDir?: string;
        journalSync?: boolean;
        speed: number;
        eventSizeLimit: 'current' | 'legacy';
        apps: boolean;
        webApps: boolean;
        watch?: boolean;
      },
    ) => {
      const root = repoRoot();
      if (options.apps && dirs.length === 0 && !root) {
        program.error(
          'presso up: not inside the Serverlesspresso repository, so there are no default apps: name the app folders to deploy, or pass --no-apps',
        );
      }
      await upCommand({ ...options, dirs: !options.apps ? [] : dirs.length ? dirs : defaultApps(root!) });
    },
  );

program
  .command('deploy')
  .description('deploy one app (its SAM template) to a running local cloud as one stack, all or nothing')
  .argument('<dir>', 'the app folder (with template.yaml) or a template file')
  .option('--stack-name <name>', 'the stack name (default: the folder name)')
  .option('--parameter-overrides <K=V...>', 'template parameters, as `sam deploy` takes them')
  .addOption(endpointOption())
  .action(async (dir: string, options: { stackName?: string; parameterOverrides?: string[]; endpoint: string }) => {
    process.exitCode = await deployCommand(options.endpoint, dir, options, process.stdout);
  });

program
  .command('delete')
  .description("delete one stack: exactly that stack's resources")
  .argument('<stack>', 'the stack name')
  .addOption(endpointOption())
  .action(async (stack: string, options: { endpoint: string }) => {
    process.exitCode = await deleteCommand(options.endpoint, stack, process.stdout);
  });

program
  .command('stacks')
  .description('list deployed stacks with their outputs')
  .option('--json', 'print JSON')
  .addOption(endpointOption())
  .action(async (options: { json?: boolean; endpoint: string }) => {
    process.exitCode = await stacksCommand(options.endpoint, process.stdout, options.json);
  });

program
  .command('events')
  .description('list the archived events as JSON Lines, one envelope per line')
  .option('--bus <name>', 'only this bus')
  .option('--pattern <json>', 'only events matching this EventBridge pattern')
  .option('--follow', 'keep printing new events as they arrive')
  .addOption(endpointOption())
  .action(async (options: { bus?: string; pattern?: string; follow?: boolean; endpoint: string }) => {
    process.exitCode = await eventsCommand(options, process.stdout);
  });

program
  .command('iam')
  .description('per role: the actions it used, the grants it never used and the calls it was denied')
  .argument('[role]', 'a role name, ARN or part of one (a stack or logical id)')
  .option('--json', 'print JSON')
  .addOption(endpointOption())
  .action(async (role: string | undefined, options: { json?: boolean; endpoint: string }) => {
    process.exitCode = await iamCommand(options.endpoint, role, process.stdout, options.json);
  });

program
  .command('stats')
  .description('counters per bus and rule: put, matched, delivered, failed, dead-lettered')
  .option('--json', 'print JSON')
  .addOption(endpointOption())
  .action(async (options: { json?: boolean; endpoint: string }) => {
    process.exitCode = await statsCommand(options.endpoint, process.stdout, options.json);
  });

program
  .command('cost')
  .description(
    'the AWS bill (us-east-1) of the work the local cloud counted since it started: per service, for the run and per 1,000 orders',
  )
  .option(
    '--orders <n>',
    'the number of orders the run made (default: the Validator.NewOrder events put)',
    positiveNumber('--orders'),
  )
  .option('--json', 'print JSON')
  .option('--usage <file>', 'price a usage file (the JSON of <edge>/_presso/usage) instead of the running local cloud')
  .addOption(endpointOption())
  .action(async (options: { orders?: number; json?: boolean; usage?: string; endpoint: string }) => {
    process.exitCode = await costCommand(options, process.stdout);
  });

program
  .command('executions')
  .description("list Step Functions executions per state machine, or print one's history")
  .argument('[stateMachine]', 'a state machine name or ARN (default: all)')
  .option('--history <executionArn>', 'print the history of this execution')
  .addOption(
    new Option('--status <status>', 'only executions in this status').choices([
      'RUNNING',
      'SUCCEEDED',
      'FAILED',
      'TIMED_OUT',
      'ABORTED',
    ]),
  )
  .addOption(endpointOption())
  .action(
    async (stateMachine: string | undefined, options: { history?: string; status?: string; endpoint: string }) => {
      process.exitCode = await executionsCommand(options.endpoint, stateMachine, options, process.stdout);
    },
  );

program
  .command('token')
  .description(
    'mint a Cognito ID token (or, with --scopes, an access token) for routes behind a JWT or Cognito authorizer',
  )
  .requiredOption('--user <user>', 'the user (cognito:username; sub is derived from it)')
  .option(
    '--groups <list>',
    'comma-separated groups of the user pool (cognito:groups), e.g. admin (operator) or NYC.barista,NYC.admin',
  )
  .option(
    '--user-pool <pool>',
    'the user pool: its id, logical id, STACK/LogicalId or name (default: the only one deployed)',
  )
  .option(
    '--client <client>',
    "the pool's app client (the token's audience): its id, logical id or name (default: the pool's only one)",
  )
  .option('--audience <aud>', 'the aud (client_id) claim, instead of an app client id')
  .option('--scopes <list>', 'comma-separated OAuth scopes: mints an access token carrying them')
  .option(
    '--email <address>',
    "the ID token's email (default: the user when it is an address, else <user>@example.com)",
  )
  .option('--unverified', 'email_verified false: a user who has not confirmed the code (the core refuses their orders)')
  .addOption(endpointOption())
  .action(
    async (options: {
      user: string;
      groups?: string;
      userPool?: string;
      client?: string;
      audience?: string;
      scopes?: string;
      email?: string;
      unverified?: boolean;
      endpoint: string;
    }) => {
      process.exitCode = await tokenCommand(options.endpoint, options, process.stdout);
    },
  );

const users = program
  .command('users')
  .description('the users of a deployed user pool (who signed up on its sign-in page) and their groups');
const userPoolOption = () =>
  new Option('--user-pool <pool>', 'the user pool: its id or name (default: the only one deployed)');
users
  .command('list')
  .description('every user of the pool: email, status, groups')
  .addOption(userPoolOption())
  .addOption(endpointOption())
  .action(async (options: { userPool?: string; endpoint: string }) => {
    process.exitCode = await usersListCommand(options, process.stdout);
  });
users
  .command('add-to-group')
  .description("adds a user to a group of the pool (AdminAddUserToGroup): their next token's cognito:groups has it")
  .argument('<email>', 'the email the user signed up with')
  .argument(
    '<group>',
    "a group of the pool: NYC.barista or NYC.admin (an event's, created when missing), admin (operator)",
  )
  .addOption(userPoolOption())
  .addOption(endpointOption())
  .action(async (email: string, group: string, options: { userPool?: string; endpoint: string }) => {
    process.exitCode = await usersGroupCommand('add', email, group, options, process.stdout);
  });
users
  .command('remove-from-group')
  .description('takes a user out of a group of the pool (AdminRemoveUserFromGroup)')
  .argument('<email>', 'the email the user signed up with')
  .argument('<group>', 'a group of the pool')
  .addOption(userPoolOption())
  .addOption(endpointOption())
  .action(async (email: string, group: string, options: { userPool?: string; endpoint: string }) => {
    process.exitCode = await usersGroupCommand('remove', email, group, options, process.stdout);
  });

program
  .command('play')
  .description('replay the recorded session with the deployed EventPlayer: a progress bar, then events sent and failed')
  .option('--speed <factor>', 'gaps between events are divided by it (1 replays in real time)', positiveNumber('speed'))
  .option('--event-id <tenant>', 'replay as this tenant (eventId), apart from live traffic')
  .option('--stack-name <name>', "the player's stack, when more than one is deployed")
  .addOption(endpointOption())
  .action(async (options: { speed?: number; eventId?: string; stackName?: string; endpoint: string }) => {
    // Ctrl-C stops the replay's execution before presso exits.
    const interrupt = new AbortController();
    process.once('SIGINT', () => interrupt.abort());
    process.exitCode = await playCommand(options, {
      out: process.stdout,
      progress: process.stderr,
      signal: interrupt.signal,
    });
  });

const dlq = program.command('dlq').description('dead-lettered events: list them, or redrive them to their targets');
dlq
  .command('list', { isDefault: true })
  .description('list dead letters with their error, rule and attempt count')
  .option('--json', 'print JSON')
  .addOption(endpointOption())
  .action(async (options: { json?: boolean; endpoint: string }) => {
    process.exitCode = await dlqListCommand(options.endpoint, process.stdout, options.json);
  });
dlq
  .command('redrive')
  .description('deliver dead letters to their targets again (all, or the given ids)')
  .argument('[ids...]', 'dead letter ids')
  .addOption(endpointOption())
  .action(async (ids: string[], options: { endpoint: string }) => {
    process.exitCode = await dlqRedriveCommand(options.endpoint, ids, process.stdout);
  });

try {
  await program.parseAsync();
} catch (e) {
  console.error(`presso: ${(e as Error).message}`);
  process.exitCode = 1;
}
