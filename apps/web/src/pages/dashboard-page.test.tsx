import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { runSummary } from '../testing/fixtures';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server } from '../testing/server';

describe('the dashboard', () => {
  it('shows that runs are loading', async () => {
    server.use(http.get(api('/api/runs'), () => never()));
    renderApp('/dashboard');
    expect(await screen.findByText('Loading runs…')).toBeTruthy();
  });

  it('says when there is no run yet', async () => {
    server.use(
      http.get(api('/api/runs'), () =>
        HttpResponse.json({ runs: [], page: 1, pageSize: 20, total: 0 }),
      ),
    );
    renderApp('/dashboard');
    expect(await screen.findByText('No runs yet.')).toBeTruthy();
  });

  it("shows the API's message when listing fails", async () => {
    server.use(
      http.get(api('/api/runs'), () => apiError(400, 'invalid_request', 'state: not a run state')),
    );
    renderApp('/dashboard');
    expect((await screen.findByRole('alert')).textContent).toContain('state: not a run state');
  });

  it('lists runs, filters by state, pages, and refreshes when a run changes', async () => {
    const queries: string[] = [];
    let state = 'Running';
    server.use(
      http.get(api('/api/runs'), ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json({
          runs: [runSummary({ state })],
          page: 1,
          pageSize: 20,
          total: 45,
        });
      }),
    );
    const { sources } = renderApp('/dashboard');
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Running')).toBeTruthy();
    expect(within(table).getByRole('link', { name: `Run ${runSummary().id}` })).toBeTruthy();
    expect(screen.getByText('Page 1 of 3 (45 runs)')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(queries.at(-1)).toContain('page=2'));
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'State' }), 'Done');
    await waitFor(() => expect(queries.at(-1)).toContain('state=Done'));
    expect(queries.at(-1)).toContain('page=1');
    state = 'Aborted';
    const live = sources.find((source) => source.url === '/api/events');
    act(() => live?.emit('run', { type: 'run', runId: runSummary().id, state: 'Aborted' }));
    await waitFor(
      () => expect(within(screen.getByRole('table')).getByText('Aborted')).toBeTruthy(),
      { timeout: 3000 },
    );
  });
});
