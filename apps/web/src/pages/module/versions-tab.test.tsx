import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { apacheDocument, moduleView, T } from '../../testing/fixtures';
import { renderApp } from '../../testing/render-app';
import { api, apiError, never, server } from '../../testing/server';

const PATH = 'Ada/HelloWorld/apache';

/** Three versions of apache: 2 changes the port, 3 adds a parameter. */
const DOCUMENTS: Record<number, typeof apacheDocument> = {
  1: apacheDocument,
  2: {
    ...apacheDocument,
    parameters: [
      { ...apacheDocument.parameters[0]!, default: '9090' },
      apacheDocument.parameters[1]!,
    ],
  },
  3: {
    ...apacheDocument,
    parameters: [
      { ...apacheDocument.parameters[0]!, default: '9090' },
      apacheDocument.parameters[1]!,
      { name: 'docroot', kind: 'input', description: '' },
    ],
  },
};

type Answer = (version: number) => Response | Promise<Response>;

/** The module, its version list and each version; `answer` may replace a version's reply. */
function serveVersions(
  documents: Record<number, object> = DOCUMENTS,
  answer: Answer = (version) =>
    HttpResponse.json(
      moduleView(
        { ...documents[version] },
        { version, latestVersion: Object.keys(documents).length },
      ),
    ),
) {
  const numbers = Object.keys(documents).map(Number);
  const latest = Math.max(...numbers);
  const requested: number[] = [];
  server.use(
    http.get(/\/api\/modules\/Ada\/HelloWorld\/apache:versions$/, () =>
      HttpResponse.json({
        path: PATH,
        versions: numbers
          .sort((a, b) => b - a)
          .map((version) => ({
            version,
            comment: `change ${version}`,
            author: 'ada@example.com',
            createdAt: T,
          })),
      }),
    ),
    http.get(api(`/api/modules/${PATH}`), ({ request }) => {
      const asked = new URL(request.url).searchParams.get('version');
      if (asked === null)
        return HttpResponse.json(
          moduleView({ ...documents[latest] }, { version: latest, latestVersion: latest }),
        );
      requested.push(Number(asked));
      return answer(Number(asked));
    }),
  );
  return requested;
}

async function openVersionsTab() {
  await userEvent.click(await screen.findByRole('tab', { name: 'Versions' }));
}

/** The diff as text, one line per row: marker and text (folds as their button). */
function diffRows(): string[] {
  const table = screen.getByRole('table', { name: /^Changes from version/ });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => {
      const cells = within(row).getAllByRole('cell');
      if (cells.length === 1) return `[${cells[0]!.textContent}]`;
      const marker = cells[2]!.querySelector('[aria-hidden]')!.textContent;
      return `${marker}${cells[3]!.textContent}`;
    });
}

describe('comparing versions of a module', () => {
  it('shows that the two versions are loading', async () => {
    serveVersions(DOCUMENTS, () => never());
    renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    expect(await screen.findByText('Loading versions 2 and 3…')).toBeTruthy();
  });

  it("shows the API's message when a version cannot be read", async () => {
    serveVersions(DOCUMENTS, (version) =>
      version === 2
        ? apiError(404, 'not_found', `module ${PATH}@2 does not exist or you cannot see it`)
        : HttpResponse.json(moduleView(DOCUMENTS[version]!, { version, latestVersion: 3 })),
    );
    renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    expect((await screen.findByRole('alert')).textContent).toContain(
      `module ${PATH}@2 does not exist`,
    );
    expect(screen.queryByRole('table', { name: /^Changes from version/ })).toBeNull();
  });

  it('compares the previous version with the latest by default, with + and - markers', async () => {
    const requested = serveVersions();
    renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    expect(await screen.findByText('3 lines added, 0 lines removed.')).toBeTruthy();
    expect((screen.getByLabelText('From') as HTMLSelectElement).value).toBe('2');
    expect((screen.getByLabelText('To') as HTMLSelectElement).value).toBe('3');
    expect(requested.sort()).toEqual([2, 3]);
    const rows = diffRows();
    expect(rows.filter((row) => /^[+-]/.test(row))).toEqual([
      '+  - name: docroot',
      '+    kind: input',
      '+    description: ""',
    ]);
    // Unchanged lines around the change are there, without a marker.
    expect(rows).toContain('   - name: ready');
    expect(screen.getAllByText('added')).toHaveLength(3);
  });

  it('compares the versions the user picks and keeps them in the address', async () => {
    serveVersions();
    const { location } = renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    await screen.findByText('3 lines added, 0 lines removed.');
    await userEvent.selectOptions(screen.getByLabelText('From'), '1');
    expect(await screen.findByText('4 lines added, 1 line removed.')).toBeTruthy();
    expect(diffRows().filter((row) => /^[+-]/.test(row))).toEqual([
      '-    default: "8080"',
      '+    default: "9090"',
      '+  - name: docroot',
      '+    kind: input',
      '+    description: ""',
    ]);
    expect(location()?.search).toBe('?diff=1..3');
    await userEvent.selectOptions(screen.getByLabelText('To'), '1');
    expect(
      await screen.findByText('Pick two different versions to see what changed.'),
    ).toBeTruthy();
    expect(location()?.search).toBe('?diff=1..1');
  });

  it('opens on the comparison the address names, in either direction', async () => {
    serveVersions();
    renderApp(`/modules/${PATH}?diff=3..1`);
    expect(await screen.findByText('1 line added, 4 lines removed.')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Versions' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect((screen.getByLabelText('From') as HTMLSelectElement).value).toBe('3');
    expect((screen.getByLabelText('To') as HTMLSelectElement).value).toBe('1');
    expect(diffRows().filter((row) => /^[+-]/.test(row))).toEqual([
      '-    default: "9090"',
      '+    default: "8080"',
      '-  - name: docroot',
      '-    kind: input',
      '-    description: ""',
    ]);
  });

  it('says so when the address names versions the module does not have', async () => {
    serveVersions();
    renderApp(`/modules/${PATH}?diff=2..7`);
    expect(
      await screen.findByText(
        '“2..7” in the address is not two versions of this module; showing 2 and 3.',
      ),
    ).toBeTruthy();
    expect(await screen.findByText('3 lines added, 0 lines removed.')).toBeTruthy();
  });

  it('folds long unchanged parts, and shows them on request', async () => {
    const recipe = Array.from({ length: 20 }, (_, i) => `echo step ${i + 1}`).join('\n');
    serveVersions({
      1: { ...apacheDocument, recipe },
      2: { ...apacheDocument, recipe: recipe.replace('echo step 10\n', 'echo step ten\n') },
    });
    renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    await screen.findByText('1 line added, 1 line removed.');
    const changed = diffRows().filter((row) => /^[+-]/.test(row));
    expect(changed).toEqual(['-  echo step 10', '+  echo step ten']);
    expect(diffRows()).not.toContain('   echo step 2');
    const folds = screen.getAllByRole('button', { name: /^Show \d+ unchanged lines$/ });
    expect(folds).toHaveLength(2);
    await userEvent.click(folds[0]!);
    await waitFor(() => expect(diffRows()).toContain('   echo step 2'));
    expect(diffRows()[0]).toBe(' path: Ada/HelloWorld/apache');
    expect(screen.getAllByRole('button', { name: /^Show \d+ unchanged lines$/ })).toHaveLength(1);
  });

  it('says when two versions have the same document, and when there is one version', async () => {
    serveVersions({ 1: apacheDocument, 2: apacheDocument });
    const first = renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    expect(await screen.findByText('Versions 1 and 2 have the same document.')).toBeTruthy();
    first.unmount();

    const requested = serveVersions({ 1: apacheDocument });
    renderApp(`/modules/${PATH}`);
    await openVersionsTab();
    expect(
      await screen.findByText('There is only one version: nothing to compare yet.'),
    ).toBeTruthy();
    expect(screen.queryByLabelText('From')).toBeNull();
    expect(requested).toEqual([]);
  });
});
