import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the SlipStream tutorials on the local cloud', () => {
  it('HelloWorld: `slipway run --wait` ends Done, and the reports hold data.txt and the access log', async () => {
    const run = await stack.cli(['run', 'Public/Tutorials/HelloWorld/client_server', '--wait']);
    expect(run.stderr).toContain('Done');
    expect(run.code).toBe(0);
    const runId = run.stdout.split('\n')[0]!;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    const detail = await stack.get(`/api/runs/${runId}`);
    expect(detail.run).toMatchObject({ state: 'Done', outcome: 'success' });
    const client = detail.run.instances.find((instance: any) => instance.name === 'testclient1-1');
    expect(client.statecustom).toBe('OK: Hello from Apache deployed by SlipStream!');

    const reports = await stack.cli(['run', 'reports', runId, '-o', 'reports']);
    expect(reports.code).toBe(0);
    const dir = join(stack.dataDir, 'reports');
    expect(await readFile(join(dir, 'testclient1-1', 'data.txt'), 'utf8')).toBe(
      'Hello from Apache deployed by SlipStream!\n',
    );
    const accessLog = await readFile(join(dir, 'apache1-1', 'access.log'), 'utf8');
    expect(accessLog).toMatch(/"GET \/data\.txt HTTP\/1\.1" 200/);
    // Every machine was released.
    const machines = await readdir(join(stack.dataDir, 'machines')).catch(() => []);
    expect(machines.filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('Performance with --multiplicity testsuite=10 ends Done with ten client reports', async () => {
    const run = await stack.cli([
      'run',
      'Public/Tutorials/Performance/deployment',
      '--multiplicity',
      'testsuite=10',
      '--wait',
    ]);
    expect(run.code).toBe(0);
    const runId = run.stdout.split('\n')[0]!;
    const { reports } = await stack.get(`/api/runs/${runId}/reports`);
    const clients = reports.filter((report: any) => report.instance.startsWith('testsuite-'));
    expect(clients.map((report: any) => report.instance).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `testsuite-${i + 1}`).sort(),
    );
    const times = await stack
      .get(`/api/runs/${runId}/reports/${clients[0].id}/files/response-times.csv`)
      .catch(async () => {
        const response = await fetch(
          `${stack.api.url}/api/runs/${runId}/reports/${clients[0].id}/files/response-times.csv`,
          {
            headers: { authorization: `Bearer ${stack.token}` },
          },
        );
        return response.text();
      });
    const lines = String(times).trim().split('\n');
    expect(lines[0]).toBe('request,seconds,http_status');
    expect(lines).toHaveLength(51);
    expect(lines.slice(1).every((line) => line.endsWith(',200'))).toBe(true);
  });
});
