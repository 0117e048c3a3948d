import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { runSummary, T } from '../testing/fixtures';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server } from '../testing/server';

const ID = 'aaaaaaaa-1111-4111-8111-111111111111';

/** The snapshot a run page receives first: both instances Running, then `more`. */
function runningSnapshot(more: object[] = []) {
  return {
    runId: ID,
    state: 'Running',
    abort: null,
    instances: [
      { name: 'apache1-1', node: 'apache1', index: 1, state: 'Running', statecustom: null },
      { name: 'testclient1-1', node: 'testclient1', index: 1, state: 'Running', statecustom: null },
      ...more,
    ],
  };
}

function instance(name: string, node: string, index: number) {
  return {
    name,
    node,
    index,
    cloud: 'local',
    completed: null,
    failed: false,
    gone: false,
    statecustom: null,
    hostname: null,
    urls: {},
  };
}

function serveRun(
  instances = [instance('apache1-1', 'apache1', 1), instance('testclient1-1', 'testclient1', 1)],
  reports: unknown[] = [],
) {
  server.use(
    http.get(api(`/api/runs/${ID}`), () =>
      HttpResponse.json({
        run: {
          ...runSummary(),
          moduleVersions: {},
          overrides: {},
          deadlineAt: null,
          instances,
          history: [{ state: 'Initializing', at: T }],
        },
      }),
    ),
    http.get(api(`/api/runs/${ID}/parameters`), () =>
      HttpResponse.json({ parameters: [{ key: 'apache1-1:port', value: '8080', updatedAt: T }] }),
    ),
    http.get(api(`/api/runs/${ID}/reports`), () => HttpResponse.json({ reports })),
  );
}

describe('the run page', () => {
  it('shows that the run is loading', async () => {
    server.use(http.get(api(`/api/runs/${ID}`), () => never()));
    renderApp(`/runs/${ID}`);
    expect(await screen.findByText(`Loading run ${ID}…`)).toBeTruthy();
  });

  it("shows the API's message for a run the user cannot see", async () => {
    server.use(
      http.get(api(`/api/runs/${ID}`), () =>
        apiError(404, 'not_found', `run ${ID} does not exist or you cannot see it`),
      ),
    );
    renderApp(`/runs/${ID}`);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'does not exist or you cannot see it',
    );
  });

  it('follows the live stream: snapshot, state, parameters, statecustom, url links and logs', async () => {
    serveRun();
    const { sources } = renderApp(`/runs/${ID}`);
    await screen.findByRole('table', { name: 'Instances' });
    const stream = sources.find((source) => source.url === `/api/runs/${ID}/stream`);
    expect(stream).toBeTruthy();
    expect(
      await screen.findByText(
        'No report yet: each instance uploads one when the run sends its reports.',
      ),
    ).toBeTruthy();
    act(() => {
      stream?.emit('snapshot', runningSnapshot());
      stream?.emit('parameter', {
        type: 'parameter',
        key: 'testclient1-1:statecustom',
        value: 'fetching data.txt',
      });
      stream?.emit('parameter', {
        type: 'parameter',
        key: 'apache1-1:url.service',
        value: 'http://10.0.0.2:8080/',
      });
      stream?.emit('parameter', { type: 'parameter', key: 'apache1-1:ready', value: 'true' });
      stream?.emit('log', {
        type: 'log',
        instance: 'apache1-1',
        stream: 'stdout',
        lines: ['+ echo serving', 'serving'],
      });
    });
    const instances = screen.getByRole('table', { name: 'Instances' });
    expect(within(instances).getByText('fetching data.txt')).toBeTruthy();
    expect(within(instances).getByRole('link', { name: 'service' }).getAttribute('href')).toBe(
      'http://10.0.0.2:8080/',
    );
    const parameters = screen.getByRole('table', { name: 'Parameters' });
    await waitFor(() => expect(within(parameters).getByText('apache1-1:port')).toBeTruthy());
    expect(within(parameters).getByText('apache1-1:ready')).toBeTruthy();
    expect(screen.getByLabelText('Log of apache1-1').textContent).toContain('serving');
    expect(screen.getByText('live')).toBeTruthy();
    act(() => stream?.emit('state', { type: 'state', state: 'SendingReport' }));
    expect(
      screen.getByRole('list', { name: 'State timeline' }).querySelector('[aria-current="step"]')
        ?.textContent,
    ).toContain('SendingReport');
  });

  it('moves the instances that follow the run to its new state, and leaves an instance that left before', async () => {
    serveRun([
      instance('apache1-1', 'apache1', 1),
      instance('testclient1-1', 'testclient1', 1),
      instance('testclient1-2', 'testclient1', 2),
    ]);
    server.use(
      http.get(api(`/api/runs/${ID}/parameters`), () =>
        HttpResponse.json({
          parameters: [
            { key: 'apache1-1:state', value: 'Running', updatedAt: T },
            { key: 'testclient1-1:state', value: 'Running', updatedAt: T },
            { key: 'testclient1-2:state', value: 'Initializing', updatedAt: T },
          ],
        }),
      ),
    );
    const { sources } = renderApp(`/runs/${ID}`);
    const instances = await screen.findByRole('table', { name: 'Instances' });
    const stream = sources.find((source) => source.url === `/api/runs/${ID}/stream`);
    const stateOf = (name: string) => {
      const row = within(instances).getByText(name).closest('tr');
      return row ? within(row).getAllByRole('cell')[1]?.textContent : undefined;
    };
    act(() => {
      stream?.emit(
        'snapshot',
        runningSnapshot([
          // Removed while the run was Initializing: it stays where it left.
          {
            name: 'testclient1-2',
            node: 'testclient1',
            index: 2,
            state: 'Initializing',
            statecustom: null,
          },
        ]),
      );
    });
    expect(stateOf('apache1-1')).toBe('Running');
    act(() => stream?.emit('state', { type: 'state', state: 'SendingReport' }));
    expect(stateOf('apache1-1')).toBe('SendingReport');
    expect(stateOf('testclient1-1')).toBe('SendingReport');
    expect(stateOf('testclient1-2')).toBe('Initializing');
    act(() => stream?.emit('state', { type: 'state', state: 'Done' }));
    expect(stateOf('testclient1-1')).toBe('Done');
    expect(stateOf('testclient1-2')).toBe('Initializing');
    const parameters = screen.getByRole('table', { name: 'Parameters' });
    const valueOf = (key: string) => {
      const row = within(parameters).getByText(key).closest('tr');
      return row ? within(row).getAllByRole('cell')[1]?.textContent : undefined;
    };
    await waitFor(() => expect(valueOf('apache1-1:state')).toBe('Done'));
    expect(valueOf('testclient1-2:state')).toBe('Initializing');
  });

  it('renders only the visible rows of 1,000 instances', async () => {
    serveRun(Array.from({ length: 1000 }, (_, i) => instance(`load-${i + 1}`, 'load', i + 1)));
    renderApp(`/runs/${ID}`);
    const table = await screen.findByRole('table', { name: 'Instances' });
    expect(table.getAttribute('aria-rowcount')).toBe('1001');
    const rendered = within(table).getAllByRole('row').length;
    expect(rendered).toBeLessThan(60);
    expect(within(table).getByText('load-1')).toBeTruthy();
    expect(within(table).queryByText('load-1000')).toBeNull();
  });

  it('aborts, and shows why it could not', async () => {
    serveRun();
    server.use(
      http.post(api(`/api/runs/${ID}/abort`), () =>
        apiError(409, 'run_finished', 'the run is already finished'),
      ),
    );
    renderApp(`/runs/${ID}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Abort' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the run is already finished');
  });

  it('lists reports to download and reads a file in the page', async () => {
    const report = {
      id: 'cccccccc-1111-4111-8111-111111111111',
      instance: 'testclient1-1',
      fileName: 'testclient1-1.tar.gz',
      sizeBytes: 2048,
      createdAt: T,
    };
    serveRun(undefined, [report]);
    server.use(
      http.get(api(`/api/runs/${ID}/reports/${report.id}/files`), () =>
        HttpResponse.json({ files: [{ path: 'execute.log', size: 12 }] }),
      ),
      http.get(api(`/api/runs/${ID}/reports/${report.id}/files/execute.log`), () =>
        HttpResponse.text('Hello World!'),
      ),
    );
    renderApp(`/runs/${ID}`);
    const download = await screen.findByRole('link', { name: 'testclient1-1.tar.gz' });
    expect(download.getAttribute('href')).toBe(`/api/runs/${ID}/reports/${report.id}`);
    await userEvent.click(screen.getByRole('button', { name: 'Read testclient1-1' }));
    await userEvent.click(await screen.findByRole('button', { name: 'execute.log' }));
    expect((await screen.findByLabelText('Content of execute.log')).textContent).toBe(
      'Hello World!',
    );
  });
});
