import { ApiError } from './api-client.js';
import { CliError, EXIT, UsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { createCommandContext, type CommandContext } from './command-context.js';
import { readEnvironment } from './config.js';
import { formatProblemLine } from './format-output.js';
import { helpText, wantsHelp, type CommandSpec } from './parse-command.js';

type Handler = (context: CommandContext, args: string[]) => Promise<number>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Command = [CommandSpec<any>, Handler];

/* Each command's module is loaded only when it runs, so `slipway` starts fast. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  login: async () => {
    const m = await import('./login-command.js');
    return [m.loginCommand, m.login];
  },
  'module put': async () => {
    const m = await import('./module-commands.js');
    return [m.modulePutCommand, m.modulePut];
  },
  'module get': async () => {
    const m = await import('./module-commands.js');
    return [m.moduleGetCommand, m.moduleGet];
  },
  'module ls': async () => {
    const m = await import('./module-commands.js');
    return [m.moduleLsCommand, m.moduleLs];
  },
  run: async () => {
    const m = await import('./run-commands.js');
    return [m.runLaunchCommand, m.runLaunch];
  },
  'run watch': async () => {
    const m = await import('./run-commands.js');
    return [m.runWatchCommand, m.runWatch];
  },
  'run abort': async () => {
    const m = await import('./run-commands.js');
    return [m.runAbortCommand, m.runAbort];
  },
  'run terminate': async () => {
    const m = await import('./run-commands.js');
    return [m.runTerminateCommand, m.runTerminate];
  },
  'run params': async () => {
    const m = await import('./run-commands.js');
    return [m.runParamsCommand, m.runParams];
  },
  'run reports': async () => {
    const m = await import('./run-commands.js');
    return [m.runReportsCommand, m.runReports];
  },
  'run ls': async () => {
    const m = await import('./run-commands.js');
    return [m.runLsCommand, m.runLs];
  },
};

const GROUPS = {
  module: ['put', 'get', 'ls'],
  run: ['watch', 'abort', 'terminate', 'params', 'reports', 'ls'],
};

export const GENERAL_HELP = `slipway: deploy and test distributed systems

Usage: slipway COMMAND [ARGUMENTS] [OPTIONS]

  start [--port N] [--data DIR]    the whole stack on this machine (API, orchestrator, web app)
  login URL [--email E]            log in and save an API token for the other commands
  module put -f FILE…              save module documents (YAML or JSON)
  module get PATH [-o yaml|json]   print a module document
  module ls [PATH]                 list a project's modules (the root projects without PATH)
  run PATH [--wait] …              launch a deployment or an image; prints the run id
  run watch ID                     follow a run to its end
  run abort ID [MESSAGE]           abort a run
  run terminate ID                 end a run and release its machines
  run params ID                    print a run's parameters
  run reports ID [-o DIR]          download and unpack every instance's report
  run ls                           list your runs

\`slipway COMMAND --help\` tells more. Read commands take --json.
The API and token come from SLIPWAY_URL and SLIPWAY_TOKEN, else from \`slipway login\`'s
configuration file. Exit codes: 0 ok (run Done/success), 1 run Done/failed, 2 run Aborted,
3 usage or other error.
`;

const GENERAL_USAGE = 'slipway COMMAND [ARGUMENTS] [OPTIONS]  (slipway --help lists the commands)';

/** Runs one command line; returns the exit code. Errors are shown as messages, never thrown. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const environment = readEnvironment(io.env);
  try {
    const [first, second] = argv;
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      (first === undefined ? io.stderr : io.stdout).write(GENERAL_HELP);
      return first === undefined ? EXIT.error : EXIT.success;
    }
    if (first === 'start') {
      return await import('./start/start-command.js').then((m) => m.startCommand(argv.slice(1)));
    }
    let name: string;
    let args: string[];
    if (first === 'module' || first === 'run') {
      const sub = second !== undefined && GROUPS[first].includes(second) ? second : undefined;
      if (first === 'module' && sub === undefined) {
        if (second === undefined || second === '--help' || second === '-h') {
          io.stdout.write(GENERAL_HELP);
          return second === undefined ? EXIT.error : EXIT.success;
        }
        throw new UsageError(`unknown command "module ${second}"`, 'slipway module put|get|ls …');
      }
      name = sub === undefined ? first : `${first} ${sub}`;
      args = argv.slice(sub === undefined ? 1 : 2);
    } else if (first === 'login') {
      name = first;
      args = argv.slice(1);
    } else {
      throw new UsageError(`unknown command "${first}"`, GENERAL_USAGE);
    }
    const [spec, handler] = await (COMMANDS[name] as () => Promise<Command>)();
    if (wantsHelp(args)) {
      io.stdout.write(helpText(spec));
      return EXIT.success;
    }
    return await handler(createCommandContext(io, environment), args);
  } catch (error) {
    io.stderr.write(describeError(error, environment.debug));
    return EXIT.error;
  }
}

/** One line (and the API's problems), never a stack trace unless SLIPWAY_DEBUG asks for it. */
export function describeError(error: unknown, debug = false): string {
  if (error instanceof UsageError) return `error: ${error.message}\nUsage: ${error.usage}\n`;
  if (error instanceof CliError) {
    // A single problem is the message itself.
    const problems = error.problems.length > 1 ? error.problems : [];
    const code = error instanceof ApiError && error.code ? ` [${error.code}]` : '';
    return [`error: ${error.message}${code}`, ...problems.map((p) => `  ${formatProblemLine(p)}`)]
      .map((line) => `${line}\n`)
      .join('');
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return `error: ${message.split('\n')[0]}${stack}\n`;
}
