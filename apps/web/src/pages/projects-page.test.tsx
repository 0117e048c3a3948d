import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server } from '../testing/server';

const project = (path: string, extra: object = {}) => ({
  path,
  kind: 'project',
  description: `${path} project`,
  latestVersion: 1,
  publicRead: false,
  owner: 'ada@example.com',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('the project browser', () => {
  it('shows that it is loading the root projects', async () => {
    server.use(http.get(api('/api/modules'), () => never()));
    renderApp('/projects');
    expect(await screen.findByText('Loading modules…')).toBeTruthy();
  });

  it('says when there is no project yet, and offers New Project', async () => {
    server.use(http.get(api('/api/modules'), () => HttpResponse.json({ modules: [] })));
    renderApp('/projects');
    expect(await screen.findByText('No projects yet.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New Project' })).toBeTruthy();
  });

  it("shows the API's message when listing fails", async () => {
    server.use(
      http.get(api('/api/modules'), () =>
        apiError(503, 'unavailable', 'the database is restarting'),
      ),
    );
    renderApp('/projects');
    expect((await screen.findByRole('alert')).textContent).toContain('the database is restarting');
  });

  it('lists root projects, opens one with breadcrumbs and the New buttons', async () => {
    server.use(
      http.get(api('/api/modules'), ({ request }) => {
        const parent = new URL(request.url).searchParams.get('parent');
        if (parent === 'Public')
          return HttpResponse.json({
            modules: [project('Public/Tutorials'), { ...project('Public/web'), kind: 'image' }],
          });
        return HttpResponse.json({
          modules: [project('Public', { publicRead: true }), project('Mine')],
        });
      }),
      http.get(api('/api/modules/Public'), () =>
        HttpResponse.json({
          path: 'Public',
          kind: 'project',
          version: 1,
          latestVersion: 1,
          owner: 'admin@slipway.local',
          publicRead: true,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          deletedAt: null,
          versionCreatedAt: '2026-01-01T00:00:00.000Z',
          comment: '',
          author: 'admin@slipway.local',
          document: { path: 'Public', kind: 'project', description: 'shipped content' },
        }),
      ),
    );
    renderApp('/projects');
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    await userEvent.click(within(table).getByRole('link', { name: 'Public' }));
    expect(await screen.findByRole('heading', { level: 1, name: /Public/ })).toBeTruthy();
    const crumbs = screen.getByRole('navigation', { name: 'Breadcrumbs' });
    expect(within(crumbs).getByRole('link', { name: 'Projects' })).toBeTruthy();
    for (const name of ['New Project', 'New Machine Image', 'New Deployment'])
      expect(screen.getByRole('button', { name })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Tutorials' })).toBeTruthy();
  });
});
