import { z } from 'zod';
import { LIVE_RUN_EVENTS, LiveRunMessage, LiveRunSnapshot, LiveUserMessage } from './live.js';
import {
  ApiTokenIdParam,
  ConfirmEmailQuery,
  CreateApiTokenRequest,
  CreateApiTokenResponse,
  ListApiTokensResponse,
  LoginRequest,
  LoginResponse,
  MeResponse,
  RegisterRequest,
  UserResponse,
} from './accounts.js';
import {
  AbortRequest,
  CompleteRequest,
  LogLines,
  LogLinesAccepted,
  LogQuery,
  MachineState,
  ParameterQuery,
  ParameterReferenceParam,
  ParameterValue,
  StateQuery,
} from './machine.js';
import {
  CopyModuleRequest,
  ListModulesQuery,
  MODULE_YAML_TYPES,
  ModuleDocumentsYaml,
  ModuleListResponse,
  ModulePathParam,
  ModuleSummaryResponse,
  ModuleVersionsResponse,
  ModuleView,
  ReadModuleQuery,
  SaveModuleQuery,
  SaveModuleRequest,
  SaveModuleResponse,
  SaveModulesResponse,
  UpdateModuleRequest,
} from './modules.js';
import { ApiDescription, HealthResponse, MetricsText, ReadinessResponse } from './ops.js';
import {
  CloudCredentialsParam,
  CloudCredentialsResponse,
  CloudNameParam,
  CloudResponse,
  ListCloudCredentialsResponse,
  ListCloudsResponse,
  ProfileResponse,
  PutCloudCredentialsRequest,
  PutCloudRequest,
  PutQuotaRequest,
  QuotaParams,
  QuotaResponse,
  UpdateProfileRequest,
} from './profile.js';
import {
  ListReportsResponse,
  REPORT_CONTENT_TYPE,
  ReportFileParams,
  ReportFilesResponse,
  ReportParams,
  UploadReportResponse,
} from './reports.js';
import {
  AbortRunRequest,
  LaunchRunRequest,
  LaunchRunResponse,
  ListRunsQuery,
  ListRunsResponse,
  RunDetailResponse,
  RunEventsQuery,
  RunEventsResponse,
  RunIdParam,
  RunParametersResponse,
  RunResponse,
} from './runs.js';

/*
 * Every route of the API in one list: what it takes, what it answers, who may call it. The
 * OpenAPI document (openapi.ts) is built from it, and the API's tests check that the app
 * routes exactly these.
 */

/**
 * Who may call a route. `anonymous`: anyone, logged in or not (some answers depend on who
 * asks); `user`: a session or an API token; `admin`: an administrator's; `machine`: the token
 * of a machine of a run that has not ended.
 */
export type ApiCaller = 'anonymous' | 'user' | 'admin' | 'machine';
export type ApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A body of one content type; without a schema it is bytes (a tar.gz). */
export interface ApiContent {
  type: string;
  schema?: z.ZodType;
}

export interface ApiResponse {
  status: number;
  description: string;
  /** None: an empty body. */
  content?: ApiContent[];
  /** Response headers that matter, by name: what they say. */
  headers?: Record<string, string>;
  /** Server-Sent Events: each event name and the schema of its JSON data. */
  events?: Record<string, z.ZodType>;
}

export interface ApiRoute {
  /** Unique; the OpenAPI operationId. */
  id: string;
  method: ApiMethod;
  /**
   * In OpenAPI form: `/api/runs/{id}`. A module path or a report file path is one parameter
   * that contains slashes; `{path}:versions` and `{path}:copy` name an action on a module.
   */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  caller: ApiCaller;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: ApiContent[];
  /** The body may be left out. */
  optionalBody?: boolean;
  responses: ApiResponse[];
  /** Every status the route answers with an ErrorBody, the common ones included. */
  errors: number[];
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain';

const json = (schema: z.ZodType): ApiContent[] => [{ type: JSON_TYPE, schema }];
const ok = (schema: z.ZodType, description: string, status = 200): ApiResponse => ({
  status,
  description,
  content: json(schema),
});
const noContent = (description: string): ApiResponse => ({ status: 204, description });

const UNSAFE: ApiMethod[] = ['post', 'put', 'patch', 'delete'];

/**
 * Adds the errors a route answers whatever it does: 401 for an unknown bearer token (every
 * /api route), 403 for a session's unsafe method without its CSRF header, 401/403 when the
 * caller is not who the route is for, 400 for input that does not parse, 413 for a body
 * over the limit.
 */
function route(definition: Omit<ApiRoute, 'errors'> & { errors?: number[] }): ApiRoute {
  const errors = new Set(definition.errors ?? []);
  const { caller, method } = definition;
  if (definition.path.startsWith('/api/')) errors.add(401);
  if (definition.path.startsWith('/api/') && UNSAFE.includes(method)) errors.add(403);
  if (caller === 'user' || caller === 'admin') errors.add(403);
  if (definition.params || definition.query || definition.body) errors.add(400);
  if (definition.body) errors.add(413);
  return { ...definition, errors: [...errors].sort((a, b) => a - b) };
}

const MODULE_PATH_NOTE =
  '`{path}` is a module path with its slashes as they are (`/api/modules/Tutorials/HelloWorld/apache`).';

const moduleBody: ApiContent[] = [
  { type: JSON_TYPE, schema: SaveModuleRequest },
  ...MODULE_YAML_TYPES.map((type) => ({ type, schema: ModuleDocumentsYaml })),
];

const liveRunEvents = Object.fromEntries(
  LIVE_RUN_EVENTS.map((event) => [event, event === 'snapshot' ? LiveRunSnapshot : LiveRunMessage]),
);

export const API_CATALOG: readonly ApiRoute[] = [
  // Operations, outside /api.
  route({
    id: 'getHealth',
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'Liveness: the process answers',
    caller: 'anonymous',
    responses: [ok(HealthResponse, 'alive')],
  }),
  route({
    id: 'getReadiness',
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'Readiness: PostgreSQL and Redis answer and the process is not shutting down',
    caller: 'anonymous',
    responses: [
      ok(ReadinessResponse, 'ready'),
      ok(ReadinessResponse, 'not ready: a dependency is down, or the process is draining', 503),
    ],
  }),
  route({
    id: 'getMetrics',
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    caller: 'anonymous',
    responses: [
      {
        status: 200,
        description: 'the Prometheus text exposition format',
        content: [{ type: TEXT_TYPE, schema: MetricsText }],
      },
    ],
  }),
  route({
    id: 'getOpenApiDocument',
    method: 'get',
    path: '/api/openapi.json',
    tag: 'operations',
    summary: 'This API, as an OpenAPI 3.1 document',
    caller: 'anonymous',
    responses: [ok(ApiDescription, 'the OpenAPI document')],
  }),

  // Accounts.
  route({
    id: 'register',
    method: 'post',
    path: '/api/auth/register',
    tag: 'accounts',
    summary: 'Create an account',
    description:
      'The account cannot log in until its e-mail address is confirmed through the link sent to it.',
    caller: 'anonymous',
    body: json(RegisterRequest),
    responses: [ok(UserResponse, 'the new, unconfirmed account', 201)],
    errors: [409, 429],
  }),
  route({
    id: 'confirmEmail',
    method: 'get',
    path: '/api/auth/confirm',
    tag: 'accounts',
    summary: 'Confirm an e-mail address (the link of the confirmation e-mail)',
    caller: 'anonymous',
    query: ConfirmEmailQuery,
    responses: [
      ok(UserResponse, 'confirmed'),
      {
        status: 303,
        description: 'confirmed; a browser (Accept: text/html) is sent to the login page',
        headers: { Location: '/login?confirmed=<e-mail address>' },
      },
    ],
    errors: [404],
  }),
  route({
    id: 'logIn',
    method: 'post',
    path: '/api/auth/login',
    tag: 'accounts',
    summary: 'Log in: a session cookie, and the CSRF token of the session',
    caller: 'anonymous',
    body: json(LoginRequest),
    responses: [
      {
        ...ok(LoginResponse, 'logged in'),
        headers: { 'Set-Cookie': 'slipway_session=…; Path=/; HttpOnly; SameSite=Lax' },
      },
    ],
    errors: [403, 429],
  }),
  route({
    id: 'logOut',
    method: 'post',
    path: '/api/auth/logout',
    tag: 'accounts',
    summary: 'Log out: ends the session and clears its cookie',
    caller: 'anonymous',
    responses: [noContent('logged out')],
  }),
  route({
    id: 'getMe',
    method: 'get',
    path: '/api/me',
    tag: 'accounts',
    summary: 'The caller, and the CSRF token of their session',
    caller: 'user',
    responses: [ok(MeResponse, 'the caller')],
  }),
  route({
    id: 'listApiTokens',
    method: 'get',
    path: '/api/me/tokens',
    tag: 'accounts',
    summary: "The caller's API tokens that are not revoked",
    caller: 'user',
    responses: [ok(ListApiTokensResponse, 'oldest first')],
  }),
  route({
    id: 'createApiToken',
    method: 'post',
    path: '/api/me/tokens',
    tag: 'accounts',
    summary: 'Create an API token (for the CLI and scripts); its secret is shown this once',
    caller: 'user',
    body: json(CreateApiTokenRequest),
    responses: [ok(CreateApiTokenResponse, 'the new token', 201)],
  }),
  route({
    id: 'revokeApiToken',
    method: 'delete',
    path: '/api/me/tokens/{id}',
    tag: 'accounts',
    summary: 'Revoke one of the caller’s API tokens',
    caller: 'user',
    params: ApiTokenIdParam,
    responses: [noContent('revoked')],
    errors: [404],
  }),

  // Profile and cloud credentials.
  route({
    id: 'getProfile',
    method: 'get',
    path: '/api/me/profile',
    tag: 'profile',
    summary: 'Run defaults and quota usage of the caller',
    caller: 'user',
    responses: [ok(ProfileResponse, 'the profile')],
  }),
  route({
    id: 'updateProfile',
    method: 'patch',
    path: '/api/me',
    tag: 'profile',
    summary: 'Change the caller’s run defaults (default cloud, keep-running policy, timeout)',
    caller: 'user',
    body: json(UpdateProfileRequest),
    responses: [ok(ProfileResponse, 'the profile after the change')],
  }),
  route({
    id: 'listCloudCredentials',
    method: 'get',
    path: '/api/me/credentials',
    tag: 'profile',
    summary: 'The clouds the caller has credentials for (never the credentials)',
    caller: 'user',
    responses: [ok(ListCloudCredentialsResponse, 'one entry per cloud')],
  }),
  route({
    id: 'putCloudCredentials',
    method: 'put',
    path: '/api/me/credentials/{cloud}',
    tag: 'profile',
    summary: 'Set the caller’s credentials for a cloud (stored encrypted, never returned)',
    caller: 'user',
    params: CloudCredentialsParam,
    body: json(PutCloudCredentialsRequest),
    responses: [ok(CloudCredentialsResponse, 'saved')],
    errors: [404],
  }),
  route({
    id: 'deleteCloudCredentials',
    method: 'delete',
    path: '/api/me/credentials/{cloud}',
    tag: 'profile',
    summary: 'Forget the caller’s credentials for a cloud',
    caller: 'user',
    params: CloudCredentialsParam,
    responses: [noContent('deleted')],
    errors: [404],
  }),

  // Clouds and quotas.
  route({
    id: 'listClouds',
    method: 'get',
    path: '/api/clouds',
    tag: 'clouds',
    summary: 'The clouds; connector settings for administrators only',
    caller: 'user',
    responses: [ok(ListCloudsResponse, 'every cloud')],
  }),
  route({
    id: 'putCloud',
    method: 'put',
    path: '/api/clouds/{name}',
    tag: 'clouds',
    summary: 'Create or change a cloud',
    caller: 'admin',
    params: CloudNameParam,
    body: json(PutCloudRequest),
    responses: [ok(CloudResponse, 'changed'), ok(CloudResponse, 'created', 201)],
  }),
  route({
    id: 'setUserQuota',
    method: 'put',
    path: '/api/admin/users/{id}/quotas/{cloud}',
    tag: 'clouds',
    summary: 'Override the quota of one user on one cloud',
    caller: 'admin',
    params: QuotaParams,
    body: json(PutQuotaRequest),
    responses: [ok(QuotaResponse, 'the quota')],
    errors: [404],
  }),
  route({
    id: 'removeUserQuota',
    method: 'delete',
    path: '/api/admin/users/{id}/quotas/{cloud}',
    tag: 'clouds',
    summary: 'Remove a user’s quota override: the cloud’s default applies again',
    caller: 'admin',
    params: QuotaParams,
    responses: [noContent('removed')],
    errors: [404],
  }),

  // Modules.
  route({
    id: 'listModules',
    method: 'get',
    path: '/api/modules',
    tag: 'modules',
    summary: 'Root projects, or the children of `parent`, that the caller may read',
    caller: 'anonymous',
    query: ListModulesQuery,
    responses: [ok(ModuleListResponse, 'the modules')],
  }),
  route({
    id: 'saveModules',
    method: 'post',
    path: '/api/modules',
    tag: 'modules',
    summary: 'Save modules: one as JSON, or any number as YAML documents',
    description:
      'All documents are saved in one transaction, or none. A YAML body takes its comment from `?comment=`.',
    caller: 'user',
    query: SaveModuleQuery,
    body: moduleBody,
    responses: [
      ok(SaveModulesResponse, 'saved; at least one module is new', 201),
      ok(SaveModulesResponse, 'saved as new versions of existing modules (or unchanged)'),
    ],
    errors: [409],
  }),
  route({
    id: 'readModule',
    method: 'get',
    path: '/api/modules/{path}',
    tag: 'modules',
    summary: 'A module: its latest version, `?version=N`, or the version run `?run=` used',
    description: MODULE_PATH_NOTE,
    caller: 'anonymous',
    params: ModulePathParam,
    query: ReadModuleQuery,
    responses: [ok(ModuleView, 'the module version')],
    errors: [404],
  }),
  route({
    id: 'listModuleVersions',
    method: 'get',
    path: '/api/modules/{path}:versions',
    tag: 'modules',
    summary: 'The versions of a module, newest first',
    description: MODULE_PATH_NOTE,
    caller: 'anonymous',
    params: ModulePathParam,
    responses: [ok(ModuleVersionsResponse, 'the versions')],
    errors: [404],
  }),
  route({
    id: 'copyModule',
    method: 'post',
    path: '/api/modules/{path}:copy',
    tag: 'modules',
    summary: 'Copy a version of a module to a new private module of the caller',
    description: MODULE_PATH_NOTE,
    caller: 'user',
    params: ModulePathParam,
    body: json(CopyModuleRequest),
    responses: [ok(SaveModuleResponse, 'the copy', 201)],
    errors: [404, 409],
  }),
  route({
    id: 'putModule',
    method: 'put',
    path: '/api/modules/{path}',
    tag: 'modules',
    summary: 'Save one module at its path (JSON or YAML); the document’s path must be the URL’s',
    description: MODULE_PATH_NOTE,
    caller: 'user',
    params: ModulePathParam,
    query: SaveModuleQuery,
    body: moduleBody,
    responses: [
      ok(SaveModuleResponse, 'a new module', 201),
      ok(SaveModuleResponse, 'a new version of the module (or unchanged)'),
    ],
    errors: [409],
  }),
  route({
    id: 'updateModule',
    method: 'patch',
    path: '/api/modules/{path}',
    tag: 'modules',
    summary: 'Change who may read a module (its owner only)',
    description: MODULE_PATH_NOTE,
    caller: 'user',
    params: ModulePathParam,
    body: json(UpdateModuleRequest),
    responses: [ok(ModuleSummaryResponse, 'the module after the change')],
    errors: [404],
  }),
  route({
    id: 'deleteModule',
    method: 'delete',
    path: '/api/modules/{path}',
    tag: 'modules',
    summary: 'Delete a module (its owner only); a project must be empty',
    description: MODULE_PATH_NOTE,
    caller: 'user',
    params: ModulePathParam,
    responses: [noContent('deleted; runs that used it can still read it')],
    errors: [404, 409],
  }),

  // Runs.
  route({
    id: 'launchRun',
    method: 'post',
    path: '/api/runs',
    tag: 'runs',
    summary: 'Launch a deployment, or an image alone',
    caller: 'user',
    body: json(LaunchRunRequest),
    responses: [ok(LaunchRunResponse, 'launched', 201)],
    errors: [429],
  }),
  route({
    id: 'listRuns',
    method: 'get',
    path: '/api/runs',
    tag: 'runs',
    summary: 'The caller’s runs (an administrator’s: everyone’s), newest first, a page at a time',
    caller: 'user',
    query: ListRunsQuery,
    responses: [ok(ListRunsResponse, 'one page')],
  }),
  route({
    id: 'readRun',
    method: 'get',
    path: '/api/runs/{id}',
    tag: 'runs',
    summary: 'A run with its instances and its history',
    caller: 'user',
    params: RunIdParam,
    responses: [ok(RunDetailResponse, 'the run')],
    errors: [404],
  }),
  route({
    id: 'readRunParameters',
    method: 'get',
    path: '/api/runs/{id}/parameters',
    tag: 'runs',
    summary: 'Every parameter of a run and its value',
    caller: 'user',
    params: RunIdParam,
    responses: [ok(RunParametersResponse, 'the parameters')],
    errors: [404],
  }),
  route({
    id: 'readRunEvents',
    method: 'get',
    path: '/api/runs/{id}/events',
    tag: 'runs',
    summary: 'A run’s event log, a page at a time',
    caller: 'user',
    params: RunIdParam,
    query: RunEventsQuery,
    responses: [ok(RunEventsResponse, 'the events after `after`')],
    errors: [404],
  }),
  route({
    id: 'abortRun',
    method: 'post',
    path: '/api/runs/{id}/abort',
    tag: 'runs',
    summary: 'Abort a run: targets stop, reports are still collected',
    caller: 'user',
    params: RunIdParam,
    body: json(AbortRunRequest),
    optionalBody: true,
    responses: [ok(RunResponse, 'the run after the abort')],
    errors: [404, 409],
  }),
  route({
    id: 'terminateRun',
    method: 'post',
    path: '/api/runs/{id}/terminate',
    tag: 'runs',
    summary: 'Terminate a run and release its machines (a run kept in Ready ends this way)',
    caller: 'user',
    params: RunIdParam,
    responses: [ok(RunResponse, 'the run after the termination')],
    errors: [404, 409],
  }),
  route({
    id: 'streamRun',
    method: 'get',
    path: '/api/runs/{id}/stream',
    tag: 'live',
    summary: 'A run, live (Server-Sent Events): a snapshot, then every change',
    description:
      'Events carry no id: a reconnecting EventSource receives a fresh snapshot. The stream ends when the API process shuts down.',
    caller: 'user',
    params: RunIdParam,
    responses: [
      {
        status: 200,
        description: '`event: snapshot` first, then one event per change',
        content: [{ type: 'text/event-stream', schema: z.string() }],
        events: liveRunEvents,
      },
    ],
    errors: [404],
  }),
  route({
    id: 'streamUserEvents',
    method: 'get',
    path: '/api/events',
    tag: 'live',
    summary: 'The caller’s runs, live (Server-Sent Events): one event whenever one changes state',
    caller: 'user',
    responses: [
      {
        status: 200,
        description: '`event: run` per state change',
        content: [{ type: 'text/event-stream', schema: z.string() }],
        events: { run: LiveUserMessage },
      },
    ],
  }),

  // Reports.
  route({
    id: 'uploadReport',
    method: 'post',
    path: '/api/machine/report',
    tag: 'reports',
    summary: 'Upload the calling machine’s report dir as a tar.gz (replaces an earlier one)',
    caller: 'machine',
    body: [{ type: REPORT_CONTENT_TYPE }],
    responses: [ok(UploadReportResponse, 'stored', 201)],
  }),
  route({
    id: 'listReports',
    method: 'get',
    path: '/api/runs/{id}/reports',
    tag: 'reports',
    summary: 'The reports of a run (its owner and administrators)',
    caller: 'user',
    params: RunIdParam,
    responses: [ok(ListReportsResponse, 'by instance')],
    errors: [404],
  }),
  route({
    id: 'downloadReport',
    method: 'get',
    path: '/api/runs/{id}/reports/{reportId}',
    tag: 'reports',
    summary: 'Download a report as its tar.gz',
    caller: 'user',
    params: ReportParams,
    responses: [
      {
        status: 200,
        description: 'the archive',
        content: [{ type: REPORT_CONTENT_TYPE }],
        headers: { 'Content-Disposition': 'attachment; filename="<instance>.tar.gz"' },
      },
    ],
    errors: [404],
  }),
  route({
    id: 'listReportFiles',
    method: 'get',
    path: '/api/runs/{id}/reports/{reportId}/files',
    tag: 'reports',
    summary: 'The files in a report',
    caller: 'user',
    params: ReportParams,
    responses: [ok(ReportFilesResponse, 'in archive order')],
    errors: [404],
  }),
  route({
    id: 'readReportFile',
    method: 'get',
    path: '/api/runs/{id}/reports/{reportId}/files/{path}',
    tag: 'reports',
    summary: 'One file of a report, as text, cut at 1 MiB',
    description: '`{path}` is the file’s path in the archive, with its slashes as they are.',
    caller: 'user',
    params: ReportFileParams,
    responses: [
      {
        status: 200,
        description: 'the file',
        content: [{ type: TEXT_TYPE, schema: z.string() }],
        headers: { 'X-Slipway-Truncated': 'present when the file was cut: the bytes sent' },
      },
    ],
    errors: [404],
  }),

  // Machines of a run.
  route({
    id: 'getParameter',
    method: 'get',
    path: '/api/machine/parameters/{reference}',
    tag: 'machine',
    summary: 'ss-get: a parameter’s value, waiting up to `wait` seconds for it to be set',
    caller: 'machine',
    params: ParameterReferenceParam,
    query: ParameterQuery,
    responses: [
      {
        status: 200,
        description: 'the value',
        content: [{ type: TEXT_TYPE, schema: ParameterValue }],
      },
      noContent('not set, and the caller did not wait'),
    ],
    errors: [404, 408, 409, 503],
  }),
  route({
    id: 'setParameter',
    method: 'put',
    path: '/api/machine/parameters/{reference}',
    tag: 'machine',
    summary: 'ss-set: set a parameter of the caller’s instance; the body is the value itself',
    description: 'Any content type; the body is read as UTF-8. An empty body sets the empty value.',
    caller: 'machine',
    params: ParameterReferenceParam,
    body: [{ type: TEXT_TYPE, schema: ParameterValue }],
    optionalBody: true,
    responses: [noContent('set')],
    errors: [404],
  }),
  route({
    id: 'abortFromMachine',
    method: 'post',
    path: '/api/machine/abort',
    tag: 'machine',
    summary: 'ss-abort: abort the caller’s run with a message (the first abort wins)',
    caller: 'machine',
    body: [
      { type: JSON_TYPE, schema: AbortRequest },
      { type: TEXT_TYPE, schema: z.string() },
    ],
    optionalBody: true,
    responses: [ok(MachineState, 'the run’s state and abort message')],
    errors: [404],
  }),
  route({
    id: 'cancelAbortFromMachine',
    method: 'delete',
    path: '/api/machine/abort',
    tag: 'machine',
    summary: 'ss-abort --cancel: clear the abort flag of the caller’s run',
    caller: 'machine',
    responses: [ok(MachineState, 'the run’s state and abort message')],
    errors: [404],
  }),
  route({
    id: 'completeState',
    method: 'post',
    path: '/api/machine/complete',
    tag: 'machine',
    summary: 'The caller’s instance finished the target of a state',
    caller: 'machine',
    body: json(CompleteRequest),
    responses: [ok(MachineState, 'the run’s state afterwards')],
    errors: [404],
  }),
  route({
    id: 'getMachineState',
    method: 'get',
    path: '/api/machine/state',
    tag: 'machine',
    summary: 'The run’s state, waiting up to `wait` seconds for it to differ from `known`',
    caller: 'machine',
    query: StateQuery,
    responses: [ok(MachineState, 'the state')],
    errors: [404, 408, 503],
  }),
  route({
    id: 'publishLogs',
    method: 'post',
    path: '/api/machine/logs',
    tag: 'machine',
    summary: 'Output of a target, for the live view: lines as JSON, or raw text/plain',
    description:
      'A text/plain body takes `stream` and `target` from the query, and is relayed as it ' +
      'arrives: the bootstrap streams a whole target (chunked) in one request, for as long as ' +
      'the target runs.',
    caller: 'machine',
    query: LogQuery,
    body: [
      { type: JSON_TYPE, schema: LogLines },
      { type: TEXT_TYPE, schema: z.string() },
    ],
    responses: [ok(LogLinesAccepted, 'the number of lines taken')],
  }),
];
