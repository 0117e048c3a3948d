import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  apacheDocument,
  effective,
  moduleView,
  runSummary,
  testclientDocument,
} from '../testing/fixtures';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server } from '../testing/server';

function serveImages() {
  server.use(
    http.get(api('/api/modules/Ada/HelloWorld/apache'), () =>
      HttpResponse.json(
        moduleView(apacheDocument, { effectiveParameters: effective(apacheDocument) }),
      ),
    ),
    http.get(api('/api/modules/Ada/HelloWorld/testclient'), () =>
      HttpResponse.json(
        moduleView(testclientDocument, { effectiveParameters: effective(testclientDocument) }),
      ),
    ),
    http.get(api('/api/modules'), ({ request }) => {
      const parent = new URL(request.url).searchParams.get('parent');
      const item = (path: string, kind: string) => ({
        path,
        kind,
        description: '',
        latestVersion: 1,
        publicRead: false,
        owner: 'ada@example.com',
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      if (parent === 'Ada/HelloWorld')
        return HttpResponse.json({
          modules: [
            item('Ada/HelloWorld/apache', 'image'),
            item('Ada/HelloWorld/testclient', 'image'),
            item('Ada/HelloWorld/client_server', 'deployment'),
          ],
        });
      if (parent === 'Ada')
        return HttpResponse.json({ modules: [item('Ada/HelloWorld', 'project')] });
      return HttpResponse.json({ modules: [item('Ada', 'project')] });
    }),
  );
}

describe('a module page', () => {
  it('shows that the module is loading', async () => {
    server.use(http.get(api('/api/modules/Ada/HelloWorld/apache'), () => never()));
    renderApp('/modules/Ada/HelloWorld/apache');
    expect(await screen.findByText('Loading Ada/HelloWorld/apache…')).toBeTruthy();
  });

  it("shows the API's message for a module that does not exist", async () => {
    server.use(
      http.get(api('/api/modules/Ada/nothing'), () =>
        apiError(404, 'not_found', 'module Ada/nothing does not exist or you cannot see it'),
      ),
    );
    renderApp('/modules/Ada/nothing');
    expect((await screen.findByRole('alert')).textContent).toContain(
      'module Ada/nothing does not exist',
    );
  });

  it('in view mode shows only the tabs that are defined; in edit mode every tab', async () => {
    serveImages();
    renderApp('/modules/Ada/HelloWorld/apache');
    await screen.findByRole('heading', { level: 1, name: /apache/ });
    const tabs = () => screen.getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs()).toEqual([
      'Summary',
      'Reference',
      'Parameters',
      'Targets',
      'Authorization',
      'Versions',
      'Runs',
    ]);
    await userEvent.click(screen.getByRole('tab', { name: 'Parameters' }));
    const outputs = screen.getByRole('region', { name: 'Output parameters' });
    expect(within(outputs).getByText('hostname')).toBeTruthy();
    expect(within(outputs).getByText('instanceid')).toBeTruthy();
    expect(within(outputs).getByText('8080')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    expect(tabs()).toEqual([
      'Summary',
      'Reference',
      'Parameters',
      'Targets',
      'Creation',
      'Authorization',
    ]);
  });

  it('saves the whole document and shows a problem on the field it concerns', async () => {
    serveImages();
    let saved: any = null;
    server.use(
      http.put(api('/api/modules/Ada/HelloWorld/apache'), async ({ request }) => {
        saved = { body: await request.json(), csrf: request.headers.get('X-CSRF-Token') };
        return apiError(400, 'invalid_module', 'Ada/HelloWorld/apache is not a valid module', [
          {
            module: 'Ada/HelloWorld/apache',
            at: ['parameters', 2, 'name'],
            message: 'a parameter name cannot be empty',
          },
        ]);
      }),
    );
    renderApp('/modules/Ada/HelloWorld/apache');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.click(screen.getByRole('tab', { name: 'Parameters' }));
    const outputs = screen.getByRole('region', { name: 'Output parameters' });
    await userEvent.click(within(outputs).getByRole('button', { name: 'Add Parameter' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saved).not.toBeNull());
    expect(saved.csrf).toBe('csrf-1');
    expect(saved.body.document.parameters).toHaveLength(3);
    expect(saved.body.document.path).toBe('Ada/HelloWorld/apache');
    const field = await screen.findByRole('textbox', { name: 'output parameter 3 name' });
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByText('a parameter name cannot be empty').length).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy();
  });

  /** apache in edit mode, on its Reference tab, with the image chooser open. */
  async function openReferenceChooser(): Promise<HTMLElement> {
    serveImages();
    renderApp('/modules/Ada/HelloWorld/apache');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.click(screen.getByRole('tab', { name: 'Reference' }));
    await userEvent.click(screen.getByRole('button', { name: 'Choose Reference' }));
    return screen.findByRole('dialog');
  }

  it('chooses a reference image with the chooser, which selects only images', async () => {
    const dialog = await openReferenceChooser();
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Ada/' }));
    await userEvent.click(await within(dialog).findByRole('button', { name: 'HelloWorld/' }));
    expect(await within(dialog).findByRole('button', { name: /testclient/ })).toBeTruthy();
    expect(within(dialog).queryByText(/client_server/)).toBeNull();
    expect(
      (within(dialog).getByRole('button', { name: 'Select' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await userEvent.click(within(dialog).getByRole('button', { name: /testclient/ }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Select' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(
      (screen.getByRole('textbox', { name: /Reference image/ }) as HTMLInputElement).value,
    ).toBe('Ada/HelloWorld/testclient');
  });

  it('keeps the focus in the chooser as projects open, and moves it with the arrow keys', async () => {
    const dialog = await openReferenceChooser();
    const ada = await within(dialog).findByRole('button', { name: 'Ada/' });
    await waitFor(() => expect(document.activeElement).toBe(ada));
    await userEvent.keyboard('{Enter}');
    // The button that had the focus is gone; the first module of Ada takes it.
    const helloWorld = await within(dialog).findByRole('button', { name: 'HelloWorld/' });
    await waitFor(() => expect(document.activeElement).toBe(helloWorld));
    await userEvent.keyboard('{Enter}');
    const apache = await within(dialog).findByRole('button', { name: /^apache/ });
    await waitFor(() => expect(document.activeElement).toBe(apache));
    await userEvent.keyboard('{ArrowDown}');
    const testclient = within(dialog).getByRole('button', { name: /^testclient/ });
    expect(document.activeElement).toBe(testclient);
    await userEvent.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(testclient);
    await userEvent.keyboard('{ArrowUp}');
    expect(document.activeElement).toBe(apache);
  });

  it('closes the chooser on Escape', async () => {
    serveImages();
    renderApp('/modules/Ada/HelloWorld/apache');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.click(screen.getByRole('tab', { name: 'Reference' }));
    await userEvent.click(screen.getByRole('button', { name: 'Choose Reference' }));
    await screen.findByRole('dialog');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('builds a deployment: Add Node, name it, link an input to another node output', async () => {
    serveImages();
    let saved: any = null;
    server.use(
      http.put(api('/api/modules/Ada/HelloWorld/client_server'), async ({ request }) => {
        saved = await request.json();
        return HttpResponse.json(
          {
            saved: {
              path: 'Ada/HelloWorld/client_server',
              kind: 'deployment',
              version: 1,
              created: true,
              changed: true,
            },
            warnings: [],
          },
          { status: 201 },
        );
      }),
      http.get(api('/api/modules/Ada/HelloWorld/client_server'), () =>
        HttpResponse.json(
          moduleView({
            path: 'Ada/HelloWorld/client_server',
            kind: 'deployment',
            description: '',
            nodes: [],
          }),
        ),
      ),
    );
    renderApp('/new/deployment?parent=Ada/HelloWorld');
    await userEvent.type(await screen.findByRole('textbox', { name: /Name/ }), 'client_server');
    await userEvent.click(screen.getByRole('tab', { name: 'Nodes' }));
    for (const image of ['apache', 'testclient']) {
      await userEvent.click(screen.getByRole('button', { name: 'Add Node' }));
      const dialog = await screen.findByRole('dialog');
      await userEvent.click(await within(dialog).findByRole('button', { name: 'Ada/' }));
      await userEvent.click(await within(dialog).findByRole('button', { name: 'HelloWorld/' }));
      await userEvent.click(
        await within(dialog).findByRole('button', { name: new RegExp(`^${image}`) }),
      );
      await userEvent.click(within(dialog).getByRole('button', { name: 'Select' }));
    }
    const apacheNode = screen.getByRole('group', { name: 'Node apache' });
    const name = within(apacheNode).getByRole('textbox', { name: 'Node name' });
    await userEvent.clear(name);
    await userEvent.type(name, 'apache1');
    const client = screen.getByRole('group', { name: 'Node testclient' });
    const hostname = await within(client).findByRole('combobox', {
      name: 'webserver.hostname linked to',
    });
    const options = [
      ...document.querySelectorAll(`#${CSS.escape(hostname.getAttribute('list') ?? '')} option`),
    ].map((o) => o.getAttribute('value'));
    expect(options).toContain('apache1:hostname');
    expect(options).toContain('apache1:port');
    await userEvent.type(hostname, 'apache1:hostname');
    expect(screen.getByRole('img', { name: /hostname → webserver.hostname/ })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saved).not.toBeNull());
    expect(saved.document.nodes).toEqual([
      {
        name: 'apache1',
        image: 'Ada/HelloWorld/apache',
        multiplicity: 1,
        maxProvisioningFailures: 0,
        mappings: {},
      },
      {
        name: 'testclient',
        image: 'Ada/HelloWorld/testclient',
        multiplicity: 1,
        maxProvisioningFailures: 0,
        mappings: { 'webserver.hostname': 'apache1:hostname' },
      },
    ]);
    expect(await screen.findByRole('heading', { level: 1, name: /client_server/ })).toBeTruthy();
  });

  it('runs a deployment with overrides and goes to the run page', async () => {
    serveImages();
    let launched: any = null;
    const deployment = {
      path: 'Ada/HelloWorld/client_server',
      kind: 'deployment',
      description: '',
      nodes: [
        {
          name: 'apache1',
          image: 'Ada/HelloWorld/apache',
          multiplicity: 1,
          maxProvisioningFailures: 0,
          mappings: {},
        },
        {
          name: 'testclient1',
          image: 'Ada/HelloWorld/testclient',
          multiplicity: 1,
          maxProvisioningFailures: 0,
          mappings: { 'webserver.hostname': 'apache1:hostname' },
        },
      ],
    };
    server.use(
      http.get(api('/api/modules/Ada/HelloWorld/client_server'), () =>
        HttpResponse.json(moduleView(deployment)),
      ),
      http.get(api('/api/clouds'), () =>
        HttpResponse.json({
          clouds: [{ name: 'local', kind: 'local', enabled: true, defaultQuota: null }],
        }),
      ),
      http.get(api('/api/me/profile'), () =>
        HttpResponse.json({
          profile: {
            defaultCloud: 'local',
            keepRunning: 'never',
            runTimeoutMinutes: 60,
            quotas: [],
          },
        }),
      ),
      http.post(api('/api/runs'), async ({ request }) => {
        launched = await request.json();
        return HttpResponse.json(
          { run: runSummary({ id: 'bbbbbbbb-1111-4111-8111-111111111111' }), warnings: [] },
          { status: 201 },
        );
      }),
      http.get(api('/api/runs/bbbbbbbb-1111-4111-8111-111111111111'), () => never()),
    );
    renderApp('/modules/Ada/HelloWorld/client_server');
    await userEvent.click(await screen.findByRole('button', { name: 'Run' }));
    const dialog = await screen.findByRole('dialog');
    const multiplicity = within(dialog).getByRole('spinbutton', {
      name: 'Multiplicity of testclient1',
    });
    await userEvent.clear(multiplicity);
    await userEvent.type(multiplicity, '3');
    await userEvent.type(
      await within(dialog).findByRole('textbox', { name: 'testclient1: webserver.port' }),
      '9090',
    );
    await userEvent.selectOptions(
      within(dialog).getByRole('combobox', { name: 'Keep running' }),
      'on-error',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(launched).not.toBeNull());
    expect(launched).toEqual({
      module: 'Ada/HelloWorld/client_server@2',
      multiplicity: { testclient1: 3 },
      parameters: { testclient1: { 'webserver.port': '9090' } },
      keepRunning: 'on-error',
    });
    expect(
      await screen.findByText('Loading run bbbbbbbb-1111-4111-8111-111111111111…'),
    ).toBeTruthy();
  });
});
