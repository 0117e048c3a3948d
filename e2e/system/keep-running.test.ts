import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

async function machinesOf(runId: string): Promise<string[]> {
  return readdir(join(stack.dataDir, 'machines', runId)).catch(() => []);
}

describe('keep-running', () => {
  it('"always" keeps the machines up in Ready until the user terminates the run', async () => {
    const launched = await stack.cli([
      'run',
      'Public/Tutorials/HelloWorld/client_server',
      '--keep-running',
      'always',
    ]);
    expect(launched.code).toBe(0);
    const runId = launched.stdout.split('\n')[0]!;
    await eventually(
      async () =>
        (await stack.get(`/api/runs/${runId}`)).run.state === 'Ready' ? true : undefined,
      60_000,
      'Ready',
    );
    // The reports were collected, and the machines are still there to be looked at.
    expect((await stack.get(`/api/runs/${runId}/reports`)).reports).toHaveLength(2);
    expect((await machinesOf(runId)).sort()).toEqual(['apache1-1', 'testclient1-1']);
    // The web server of the kept machine still answers.
    const { parameters } = await stack.get(`/api/runs/${runId}/parameters`);
    const hostname = parameters.find((p: any) => p.key === 'apache1-1:hostname').value;
    const page = await fetch(`http://${hostname}:8080/data.txt`);
    expect(await page.text()).toBe('Hello from Apache deployed by SlipStream!\n');

    const terminated = await stack.cli(['run', 'terminate', runId]);
    expect(terminated.code).toBe(0);
    const run = await eventually(async () => {
      const detail = (await stack.get(`/api/runs/${runId}`)).run;
      return detail.state === 'Done' ? detail : undefined;
    });
    expect(run.outcome).toBe('success');
    await eventually(
      async () => ((await machinesOf(runId)).length === 0 ? true : undefined),
      30_000,
      'machines released',
    );
  });

  it('"on-error" releases the machines of a run that succeeded', async () => {
    const run = await stack.cli([
      'run',
      'Public/Tutorials/HelloWorld/client_server',
      '--keep-running',
      'on-error',
      '--wait',
    ]);
    expect(run.code).toBe(0);
    const runId = run.stdout.split('\n')[0]!;
    expect((await stack.get(`/api/runs/${runId}`)).run.state).toBe('Done');
    await eventually(
      async () => ((await machinesOf(runId)).length === 0 ? true : undefined),
      30_000,
      'machines released',
    );
  });
});
