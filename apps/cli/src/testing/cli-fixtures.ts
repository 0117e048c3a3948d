import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestClient, type TestApi } from '@slipway/api/testing';
import { applyRunEvent, issueMachineToken } from '@slipway/engine';

/**
 * A project with a base image, a web server, a client and a deployment of one web server
 * and two clients; `greeting` has neither mapping nor default (a warning).
 */
export const PAIR_YAML = `path: Cli
kind: project
---
path: Cli/base
kind: image
cloudImageIds: {local: host}
---
path: Cli/web
kind: image
description: serves data.txt
parent: Cli/base
parameters:
  - {name: port, kind: output, default: "8080"}
targets:
  execute: |
    #!/bin/sh -e
    ss-set ready true
---
path: Cli/client
kind: image
parent: Cli/base
parameters:
  - {name: webserver.port, kind: input}
  - {name: greeting, kind: input}
---
path: Cli/pair
kind: deployment
nodes:
  - name: web
    image: Cli/web
  - name: client
    image: Cli/client
    multiplicity: 2
    mappings:
      webserver.port: web:port
`;

export async function writeFixture(directory: string, name: string, text: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, text);
  return path;
}

/** A logged-in user and an API token of theirs, as `slipway login` would save it. */
export async function userWithToken(api: TestApi): Promise<{
  client: TestClient & { userId: string; email: string };
  env: Record<string, string>;
}> {
  const client = await api.login();
  const created = await client.post('/api/me/tokens', { name: 'cli test' });
  if (created.status !== 201) throw new Error(`token: ${JSON.stringify(created.body)}`);
  return {
    client,
    env: {
      SLIPWAY_URL: api.url,
      SLIPWAY_TOKEN: created.body.token,
      XDG_CONFIG_HOME: '/nonexistent/slipway-cli-test',
    },
  };
}

/**
 * Starts a launched run as an orchestrator would (without provisioning anything) and gives
 * a client for each of its machines, holding that machine's token.
 */
export async function startRun(
  api: TestApi,
  owner: TestClient,
  runId: string,
): Promise<Map<string, TestClient>> {
  await applyRunEvent(api.database.db, runId, { type: 'start' });
  const detail = await owner.get(`/api/runs/${runId}`);
  const machines = new Map<string, TestClient>();
  for (const { name } of detail.body.run.instances as { name: string }[]) {
    machines.set(
      name,
      new TestClient(api.url, { token: await issueMachineToken(api.database.db, runId, name) }),
    );
  }
  return machines;
}

/** Every machine completes `state`; `exitCodes` by instance (default 0). */
export async function completeState(
  machines: Map<string, TestClient>,
  state: string,
  exitCodes: Record<string, number> = {},
): Promise<void> {
  for (const [name, machine] of machines) {
    const answer = await machine.post('/api/machine/complete', {
      state,
      exitCode: exitCodes[name] ?? 0,
    });
    if (answer.status !== 200)
      throw new Error(`${name} complete ${state}: ${JSON.stringify(answer.body)}`);
  }
}
