import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import {
  LaunchRunResponse,
  ListRunsResponse,
  RunParametersResponse,
  RunResponse,
} from '@slipway/contracts';
import { parseInstanceName, parseModuleRef, RunState } from '@slipway/domain';
import { z } from 'zod';
import { EXIT, CliError, UsageError } from './cli-error.js';
import type { CommandContext } from './command-context.js';
import { formatJson, formatProblemLine, formatTable, formatTime } from './format-output.js';
import { parseLaunchOverrides } from './launch-overrides.js';
import { defineCommand, parseCommand, wholeNumber } from './parse-command.js';
import { unpackReport } from './unpack-report.js';
import { DEFAULT_WATCH_TIMING, watchRun } from './watch-run.js';

const help = { type: 'boolean', short: 'h' } as const;
const json = { type: 'boolean' } as const;

export const runLaunchCommand = defineCommand({
  usage:
    'slipway run PATH[@VERSION] [--set node:param=value]… [--multiplicity node=N]… [--cloud NAME] [--keep-running POLICY] [--timeout MIN] [--tag T]… [--wait]',
  help: `
Launches a deployment (or a single image) and prints the run's id alone on the first line
of stdout; progress goes to stderr.

  --set node:param=value   an input parameter's value for every instance of a node
  --multiplicity node=N    how many instances of a node
  --cloud NAME             the cloud of every node that names none; --cloud node=NAME per node
  --keep-running POLICY    never, on-success, on-error or always: when machines are kept
  --timeout MIN            abort the run after MIN minutes (default: your profile's)
  --tag T                  a tag; repeat for several
  --wait                   follow the run to its end, like \`slipway run watch\`

Other run commands: slipway run watch|abort|terminate|params|reports|ls (each with --help).
Exit codes: 0 launched (with --wait: Done/success), 1 Done/failed, 2 Aborted, 3 error.`,
  options: {
    set: { type: 'string', multiple: true },
    multiplicity: { type: 'string', multiple: true },
    cloud: { type: 'string', multiple: true },
    'keep-running': { type: 'string' },
    timeout: { type: 'string' },
    tag: { type: 'string', multiple: true },
    wait: { type: 'boolean' },
    help,
  },
  positionals: ['PATH'],
  required: 1,
});

export async function runLaunch(context: CommandContext, args: string[]): Promise<number> {
  const { usage } = runLaunchCommand;
  const { values, positionals } = parseCommand(runLaunchCommand, args);
  const module = positionals[0] ?? '';
  const ref = parseModuleRef(module);
  if (typeof ref === 'string') throw new UsageError(ref, usage);
  const request = { module, ...parseLaunchOverrides(values, usage) };
  const api = await context.api();
  const { run, warnings } = await api.post('/api/runs', LaunchRunResponse, { json: request });
  context.out(`${run.id}\n`);
  context.err(`launched run ${run.id} of ${run.module}@${run.moduleVersion}\n`);
  for (const warning of warnings) context.err(`warning: ${formatProblemLine(warning)}\n`);
  if (!values.wait) return EXIT.success;
  return watchRun(api, run.id, context.io.stderr, timingOf(context));
}

const RunId = z.uuid();

function runIdOf(text: string | undefined, usage: string): string {
  if (text === undefined || !RunId.safeParse(text).success) {
    throw new UsageError(`"${text ?? ''}" is not a run id`, usage);
  }
  return text.toLowerCase();
}

function timingOf(context: CommandContext) {
  return { ...DEFAULT_WATCH_TIMING, ...context.io.timing };
}

export const runWatchCommand = defineCommand({
  usage: 'slipway run watch ID',
  help: `
Follows a run to its end, showing state changes, instance counts, statecustom messages and
the abort message on stderr. Exit codes: 0 Done/success, 1 Done/failed, 2 Aborted, 3 error.`,
  options: { help },
  positionals: ['ID'],
  required: 1,
});

export async function runWatch(context: CommandContext, args: string[]): Promise<number> {
  const { positionals } = parseCommand(runWatchCommand, args);
  const id = runIdOf(positionals[0], runWatchCommand.usage);
  return watchRun(await context.api(), id, context.io.stderr, timingOf(context));
}

export const runAbortCommand = defineCommand({
  usage: 'slipway run abort ID [MESSAGE] [--json]',
  help: `
Aborts a run: running targets are stopped, reports are still collected, and the run ends
Aborted with MESSAGE (default: "aborted by <you>").`,
  options: { json, help },
  positionals: ['ID', 'MESSAGE'],
  required: 1,
});

export async function runAbort(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(runAbortCommand, args);
  const id = runIdOf(positionals[0], runAbortCommand.usage);
  const message = positionals[1];
  if (message === '') throw new UsageError('the abort message is empty', runAbortCommand.usage);
  const api = await context.api();
  const { run } = await api.post(`/api/runs/${id}/abort`, RunResponse, {
    json: message === undefined ? {} : { message },
  });
  if (values.json) context.out(formatJson({ run }));
  else
    context.err(
      `run ${run.id} aborting: ${run.state}${run.abortMessage ? ` (${run.abortMessage})` : ''}\n`,
    );
  return EXIT.success;
}

export const runTerminateCommand = defineCommand({
  usage: 'slipway run terminate ID [--json]',
  help: `
Terminates a run at once and releases its machines, also those kept in Ready.`,
  options: { json, help },
  positionals: ['ID'],
  required: 1,
});

export async function runTerminate(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(runTerminateCommand, args);
  const id = runIdOf(positionals[0], runTerminateCommand.usage);
  const { run } = await (await context.api()).post(`/api/runs/${id}/terminate`, RunResponse);
  if (values.json) context.out(formatJson({ run }));
  else context.err(`run ${run.id} terminated: ${run.state}\n`);
  return EXIT.success;
}

export const runParamsCommand = defineCommand({
  usage: 'slipway run params ID [--json]',
  help: `
Prints a run's parameters: ss:state, ss:abort, every instance's parameters and the nodes'
multiplicity and ids. An input that follows another key shows that key's value.`,
  options: { json, help },
  positionals: ['ID'],
  required: 1,
});

export async function runParams(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(runParamsCommand, args);
  const id = runIdOf(positionals[0], runParamsCommand.usage);
  const { parameters } = await (
    await context.api()
  ).get(`/api/runs/${id}/parameters`, RunParametersResponse);
  if (values.json) context.out(formatJson({ parameters }));
  else
    context.out(
      formatTable(
        ['KEY', 'VALUE'],
        parameters.map((p) => [p.key, p.value ?? '']),
      ),
    );
  return EXIT.success;
}

export const runLsCommand = defineCommand({
  usage: 'slipway run ls [--module PATH] [--state STATE] [--page N] [--page-size N] [--json]',
  help: `
Lists your runs, newest first.

  --module PATH     runs of that module only
  --state STATE     runs in that state only (${RunState.options.join(', ')})
  --page N          the page to show (default 1)
  --page-size N     runs per page, up to 100 (default 20)
  --json            the list as the API gives it`,
  options: {
    module: { type: 'string' },
    state: { type: 'string' },
    page: { type: 'string' },
    'page-size': { type: 'string' },
    json,
    help,
  },
  positionals: [],
  required: 0,
});

export async function runLs(context: CommandContext, args: string[]): Promise<number> {
  const { usage } = runLsCommand;
  const { values } = parseCommand(runLsCommand, args);
  const state = values.state === undefined ? undefined : RunState.safeParse(values.state);
  if (state && !state.success) {
    throw new UsageError(
      `--state is one of ${RunState.options.join(', ')}, not "${values.state}"`,
      usage,
    );
  }
  const page =
    values.page === undefined ? undefined : wholeNumber(values.page, '--page', usage, { min: 1 });
  const pageSize =
    values['page-size'] === undefined
      ? undefined
      : wholeNumber(values['page-size'], '--page-size', usage, { min: 1, max: 100 });
  const list = await (
    await context.api()
  ).get('/api/runs', ListRunsResponse, {
    query: { module: values.module, state: state?.data, page, pageSize },
  });
  if (values.json) {
    context.out(formatJson(list));
    return EXIT.success;
  }
  if (list.runs.length === 0) {
    context.err('no runs\n');
    return EXIT.success;
  }
  const rows = list.runs.map((run) => [
    run.id,
    run.state,
    run.outcome ?? '',
    `${run.module}@${run.moduleVersion}`,
    formatTime(run.createdAt),
    run.tags.join(','),
  ]);
  context.out(formatTable(['ID', 'STATE', 'OUTCOME', 'MODULE', 'CREATED', 'TAGS'], rows));
  const shown = (list.page - 1) * list.pageSize + list.runs.length;
  if (shown < list.total)
    context.err(`${shown} of ${list.total} runs; --page ${list.page + 1} for more\n`);
  return EXIT.success;
}

export const runReportsCommand = defineCommand({
  usage: 'slipway run reports ID [-o DIR] [--json]',
  help: `
Downloads every instance's report and unpacks it under DIR/<instance>/ (default
./slipway-reports/<run id>), replacing an earlier download. A report holding an entry
with an absolute path or ".." is refused.`,
  options: { output: { type: 'string', short: 'o' }, json, help },
  positionals: ['ID'],
  required: 1,
});

const ReportList = z.object({
  reports: z.array(
    z.object({ id: z.string(), instance: z.string(), fileName: z.string(), sizeBytes: z.number() }),
  ),
});

export async function runReports(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(runReportsCommand, args);
  const id = runIdOf(positionals[0], runReportsCommand.usage);
  const directory = resolve(context.io.cwd, values.output ?? `slipway-reports/${id}`);
  const api = await context.api();
  const { reports } = await api.get(`/api/runs/${id}/reports`, ReportList);
  // An instance that uploaded more than once: its newest report (the list is oldest first).
  const newest = new Map(reports.map((report) => [report.instance, report]));
  const unpacked: { instance: string; directory: string; files: number }[] = [];
  let refused = 0;
  for (const report of newest.values()) {
    if (parseInstanceName(report.instance) === null) {
      context.err(`${report.instance}: not an instance name; report skipped\n`);
      refused += 1;
      continue;
    }
    const target = resolve(directory, report.instance);
    const response = await api.request('GET', `/api/runs/${id}/reports/${report.id}`, {
      headers: { accept: 'application/gzip' },
    });
    if (!response.body) throw new CliError(`the report of ${report.instance} came without content`);
    try {
      const { files } = await unpackReport(Readable.fromWeb(response.body as never), target);
      unpacked.push({ instance: report.instance, directory: target, files });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      context.err(`${report.instance}: report ${error.message}\n`);
      refused += 1;
    }
  }
  if (values.json) context.out(formatJson({ directory, reports: unpacked }));
  else if (unpacked.length > 0) {
    const rows = unpacked.map((entry) => [entry.instance, String(entry.files), entry.directory]);
    context.out(formatTable(['INSTANCE', 'FILES', 'DIRECTORY'], rows));
  }
  if (newest.size === 0) context.err(`run ${id} has no reports (yet)\n`);
  return refused > 0 ? EXIT.error : EXIT.success;
}
