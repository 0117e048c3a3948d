export const T = '2026-01-01T00:00:00.000Z';

export function moduleView(document: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    path: document.path,
    kind: document.kind,
    version: 2,
    latestVersion: 2,
    owner: 'ada@example.com',
    publicRead: false,
    createdAt: T,
    updatedAt: T,
    deletedAt: null,
    versionCreatedAt: T,
    comment: 'second',
    author: 'ada@example.com',
    document,
    ...extra,
  };
}

export const apacheDocument = {
  path: 'Ada/HelloWorld/apache',
  kind: 'image',
  description: 'web server',
  parent: 'Public/BaseImages/local-host',
  cloudImageIds: {},
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: [
    { name: 'port', kind: 'output', description: 'port to listen on', default: '8080' },
    { name: 'ready', kind: 'output', description: '' },
  ],
  targets: { execute: '#!/bin/sh -xe\necho serving\n' },
};

export const testclientDocument = {
  ...apacheDocument,
  path: 'Ada/HelloWorld/testclient',
  description: 'test client',
  parameters: [
    { name: 'webserver.hostname', kind: 'input', description: '' },
    { name: 'webserver.port', kind: 'input', description: '' },
  ],
};

const builtins = [
  { name: 'hostname', kind: 'output', description: '' },
  { name: 'instanceid', kind: 'output', description: '' },
];
export const effective = (document: { parameters: object[] }) => [
  ...builtins,
  ...document.parameters,
];

export function runSummary(extra: Record<string, unknown> = {}) {
  return {
    id: 'aaaaaaaa-1111-4111-8111-111111111111',
    owner: { id: '11111111-1111-4111-8111-111111111111', email: 'ada@example.com' },
    kind: 'deployment',
    module: 'Ada/HelloWorld/client_server',
    moduleVersion: 1,
    state: 'Running',
    outcome: null,
    abortMessage: null,
    keepRunning: 'never',
    timeoutMinutes: 60,
    tags: [],
    createdAt: T,
    startedAt: T,
    finishedAt: null,
    ...extra,
  };
}
