import { writeFile } from 'node:fs/promises';
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

const modules = `path: AbortTest
kind: project
---
path: AbortTest/waiter
kind: image
parent: Public/BaseImages/local-host
targets:
  execute: |
    #!/bin/sh
    # An abort also stops running targets (TERM, then KILL after 5 s); this one stays to
    # write down when and how its ss-get returned.
    trap '' TERM
    ss-get --timeout 600 never.set.key 2> ss-get.err
    code=$?
    date +%s%N > "$SLIPSTREAM_REPORT_DIR/returned-at"
    echo "$code" > "$SLIPSTREAM_REPORT_DIR/exit-code"
    cp ss-get.err "$SLIPSTREAM_REPORT_DIR/"
    exit 0
parameters:
  - { name: never.set.key, kind: output }
---
path: AbortTest/aborter
kind: image
parent: Public/BaseImages/local-host
targets:
  execute: |
    #!/bin/sh
    sleep 2
    date +%s%N > "$SLIPSTREAM_REPORT_DIR/aborted-at"
    ss-abort "the aborter had enough"
---
path: AbortTest/stubborn
kind: image
parent: Public/BaseImages/local-host
targets:
  execute: |
    #!/bin/sh
    # Ignores TERM (and so does its sleep): only the KILL 5 s later stops it.
    trap '' TERM
    sleep 600
---
path: AbortTest/deployment
kind: deployment
nodes:
  - { name: waiter, image: AbortTest/waiter, multiplicity: 3 }
  - { name: aborter, image: AbortTest/aborter }
  - { name: stubborn, image: AbortTest/stubborn }
`;

async function reportFile(runId: string, reportId: string, path: string): Promise<string> {
  const response = await fetch(
    `${stack.api.url}/api/runs/${runId}/reports/${reportId}/files/${path}`,
    {
      headers: { authorization: `Bearer ${stack.token}` },
    },
  );
  return (await response.text()).trim();
}

describe('ss-abort', () => {
  it('ends the run Aborted with its message, and every waiting ss-get returns 8 within a second', async () => {
    const file = join(stack.dataDir, 'abort.yaml');
    await writeFile(file, modules);
    expect((await stack.cli(['module', 'put', '-f', file])).code).toBe(0);

    const run = await stack.cli(['run', 'AbortTest/deployment', '--wait']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the aborter had enough');
    const runId = run.stdout.split('\n')[0]!;
    const detail = await stack.get(`/api/runs/${runId}`);
    expect(detail.run).toMatchObject({ state: 'Aborted', abortMessage: 'the aborter had enough' });

    const { reports } = await stack.get(`/api/runs/${runId}/reports`);
    const aborter = reports.find((report: any) => report.instance === 'aborter-1');
    const abortedAt = Number(await reportFile(runId, aborter.id, 'aborted-at'));
    const waiters = reports.filter((report: any) => report.instance.startsWith('waiter-'));
    expect(waiters).toHaveLength(3);
    for (const waiter of waiters) {
      if (process.env.DEBUG_ABORT) {
        console.log(
          await reportFile(runId, waiter.id, 'execute.log'),
          await reportFile(runId, waiter.id, 'slipway-bootstrap.log'),
        );
      }
      expect(await reportFile(runId, waiter.id, 'exit-code')).toBe('8');
      expect(await reportFile(runId, waiter.id, 'ss-get.err')).toContain('the aborter had enough');
      const waitedMs =
        (Number(await reportFile(runId, waiter.id, 'returned-at')) - abortedAt) / 1e6;
      expect(waitedMs).toBeGreaterThan(0);
      expect(waitedMs).toBeLessThan(1000);
    }

    // A target that ignores TERM is killed 5 s later; its machine still sends its report.
    const stubborn = reports.find((report: any) => report.instance === 'stubborn-1');
    const log = await reportFile(runId, stubborn.id, 'slipway-bootstrap.log');
    expect(log).toContain('abort: stopping execute');
    expect(log).toMatch(/execute 01-AbortTest_stubborn exited with 137/);
  });
});
