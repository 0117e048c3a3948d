/**
 * One run of N trivial machines on the local cloud, timed state by state, repeated; with
 * repeats, the medians last. `pnpm bench` (in e2e/) runs 100 machines 3 times; the
 * 1,000-machine run: `node --import tsx bench/many-instances.ts 1000 3` (as root, on Linux:
 * each machine gets its own network namespace). Usage: [N=1000] [repeats=1]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { schema } from '@slipway/db';
import { eq } from 'drizzle-orm';
import { Stack } from '../system/stack.js';

const count = Number(process.argv[2] ?? 1000);
const repeats = Number(process.argv[3] ?? 1);

const stack = await Stack.start({ workers: 1 });
let current: string | undefined;
// Ctrl-C terminates the run and waits for its machines to be released: a bench stopped
// half-way must not leave a thousand machines behind.
process.once('SIGINT', () => {
  console.error('interrupted: terminating the run and releasing its machines…');
  void (async () => {
    if (current) {
      await stack.post(`/api/runs/${current}/terminate`, {}).catch(() => undefined);
      await waitForEnd(current, Date.now()).catch(() => undefined);
    }
    await stack.stop();
    process.exit(130);
  })();
});

/**
 * Polls the run every 2 s (a 1,000-instance detail is not free: polling it faster would be
 * part of the load measured) and prints where it is, so a slow state shows as it happens.
 */
async function waitForEnd(runId: string, started: number): Promise<any> {
  const until = started + 30 * 60_000;
  for (;;) {
    const { run } = await stack.get(`/api/runs/${runId}`);
    if (run.finishedAt) return run;
    const completed = new Map<string, number>();
    for (const instance of run.instances as { completed: string | null; gone: boolean }[]) {
      const key = instance.gone ? 'gone' : (instance.completed ?? 'none');
      completed.set(key, (completed.get(key) ?? 0) + 1);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.error(
      `${seconds}s ${run.state}: completed ${JSON.stringify(Object.fromEntries(completed))}`,
    );
    if (Date.now() > until) throw new Error(`run ${runId} still ${run.state} after 30 min`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
try {
  const file = join(stack.dataDir, 'many.yaml');
  await writeFile(
    file,
    `path: Bench
kind: project
---
path: Bench/trivial
kind: image
parent: Public/BaseImages/local-host
parameters:
  - { name: greeting, kind: output }
targets:
  execute: |
    #!/bin/sh -e
    ss-set greeting "hello from $SLIPWAY_INSTANCE"
    ss-get --timeout 600 machine-1:greeting > /dev/null
  report: |
    #!/bin/sh
    echo ok > "$SLIPSTREAM_REPORT_DIR/ok"
---
path: Bench/deployment
kind: deployment
nodes:
  - { name: machine, image: Bench/trivial, multiplicity: 1 }
`,
  );
  const put = await stack.cli(['module', 'put', '-f', file]);
  if (put.code !== 0) throw new Error(put.stderr);
  const results: Record<string, number>[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const started = Date.now();
    const { run } = await stack.post('/api/runs', {
      module: 'Bench/deployment',
      multiplicity: { machine: count },
    });
    current = run.id;
    const detail = await waitForEnd(run.id, started);
    const history = detail.history as { state: string; at: string }[];
    const at = (state: string) => Date.parse(history.find((h) => h.state === state)?.at ?? '');
    const end = Date.parse(detail.finishedAt);
    const row = {
      total: (end - started) / 1000,
      Initializing: (at('Running') - at('Initializing')) / 1000,
      Running: (at('SendingReport') - at('Running')) / 1000,
      SendingReport: (end - at('SendingReport')) / 1000,
    };
    const { reports } = await stack.get(`/api/runs/${run.id}/reports`);
    const provisioned = (
      await stack.database.db
        .select()
        .from(schema.instances)
        .where(eq(schema.instances.runId, run.id))
    ).flatMap((row) =>
      row.provisionedAt ? [(row.provisionedAt.getTime() - at('Initializing')) / 1000] : [],
    );
    console.log(
      JSON.stringify({
        provisionedSeconds: { first: Math.min(...provisioned), last: Math.max(...provisioned) },
      }),
    );
    console.log(
      JSON.stringify({
        instances: count,
        state: detail.state,
        outcome: detail.outcome,
        reports: reports.length,
        seconds: row,
      }),
    );
    results.push(row);
    if (process.env.BENCH_SHOW_LOG) {
      const response = await fetch(
        `${stack.api.url}/api/runs/${run.id}/reports/${reports[reports.length - 1].id}/files/slipway-bootstrap.log`,
        {
          headers: { authorization: `Bearer ${stack.token}` },
        },
      );
      console.log(await response.text());
    }
  }
  if (results.length > 1) {
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    };
    const keys = Object.keys(results[0]!);
    console.log(
      JSON.stringify({
        instances: count,
        repeats: results.length,
        medianSeconds: Object.fromEntries(
          keys.map((key) => [key, median(results.map((row) => row[key]!))]),
        ),
      }),
    );
  }
} finally {
  await stack.stop();
}
