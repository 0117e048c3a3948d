import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { T } from '../testing/fixtures';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server } from '../testing/server';

const profile = {
  defaultCloud: 'local',
  keepRunning: 'never',
  runTimeoutMinutes: 60,
  quotas: [
    { cloud: 'local', max: null, inUse: 2 },
    { cloud: 'ec2', max: 20, inUse: 0 },
  ],
};
const clouds = [
  { name: 'local', kind: 'local', enabled: true, defaultQuota: null },
  { name: 'ec2', kind: 'ec2', enabled: true, defaultQuota: 20 },
];

function serveProfile(tokens: unknown[] = [], credentials: unknown[] = []) {
  server.use(
    http.get(api('/api/me/profile'), () => HttpResponse.json({ profile })),
    http.get(api('/api/clouds'), () => HttpResponse.json({ clouds })),
    http.get(api('/api/me/tokens'), () => HttpResponse.json({ tokens })),
    http.get(api('/api/me/credentials'), () => HttpResponse.json({ credentials })),
  );
}

describe('the profile page', () => {
  it('shows that the profile is loading', async () => {
    server.use(
      http.get(api('/api/me/profile'), () => never()),
      http.get(api('/api/clouds'), () => never()),
      http.get(api('/api/me/tokens'), () => never()),
      http.get(api('/api/me/credentials'), () => never()),
    );
    renderApp('/profile');
    expect(await screen.findByText('Loading your profile…')).toBeTruthy();
  });

  it('says when there are no tokens and no credentials', async () => {
    serveProfile();
    renderApp('/profile');
    expect(await screen.findByText('No API token.')).toBeTruthy();
    expect(screen.getByText('No credentials stored.')).toBeTruthy();
  });

  it("shows the API's message when the profile cannot be read", async () => {
    serveProfile();
    server.use(
      http.get(api('/api/me/profile'), () => apiError(401, 'unauthenticated', 'log in first')),
    );
    renderApp('/profile');
    expect((await screen.findAllByRole('alert'))[0]?.textContent).toContain('log in first');
  });

  it('shows quotas in use, saves settings, stores credentials write-only and creates a token', async () => {
    serveProfile([
      { id: 'dddddddd-1111-4111-8111-111111111111', name: 'ci', createdAt: T, lastUsedAt: null },
    ]);
    let patched: any = null;
    let credentials: any = null;
    server.use(
      http.patch(api('/api/me'), async ({ request }) => {
        patched = await request.json();
        return HttpResponse.json({ profile });
      }),
      http.put(api('/api/me/credentials/ec2'), async ({ request }) => {
        credentials = await request.json();
        return HttpResponse.json({ credentials: { cloud: 'ec2', updatedAt: T } });
      }),
      http.post(api('/api/me/tokens'), () =>
        HttpResponse.json(
          {
            id: 'eeeeeeee-1111-4111-8111-111111111111',
            name: 'laptop',
            createdAt: T,
            token: 'swu_secret',
          },
          { status: 201 },
        ),
      ),
    );
    renderApp('/profile');
    const quotas = await screen.findByRole('table');
    expect(within(quotas).getByText('no limit')).toBeTruthy();
    expect(screen.getByText('ci')).toBeTruthy();

    const timeout = await screen.findByRole('spinbutton', { name: 'Run timeout (minutes)' });
    await userEvent.clear(timeout);
    await userEvent.type(timeout, '90');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(patched).toEqual({
        defaultCloud: 'local',
        keepRunning: 'never',
        runTimeoutMinutes: 90,
      }),
    );

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Cloud' }), 'ec2');
    await userEvent.type(screen.getByLabelText('accessKeyId value'), 'AKIA1');
    await userEvent.type(screen.getByLabelText('secretAccessKey value'), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Save credentials' }));
    await waitFor(() =>
      expect(credentials).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's3cret' }),
    );
    expect((screen.getByLabelText('secretAccessKey value') as HTMLInputElement).value).toBe('');

    await userEvent.type(screen.getByRole('textbox', { name: 'Token name' }), 'laptop');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByLabelText('New API token')).textContent).toBe('swu_secret');
  });
});
