import { writeFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../system/stack.js';
import {
  BrowserStack,
  PASSWORD,
  RUN_MS,
  STEP_MS,
  type UserApi,
  type Viewport,
} from './browser-harness.js';
import {
  documentTop,
  expectFits,
  expectFocusOn,
  focusState,
  holdsFocus,
  tabTo,
} from './page-checks.js';

/**
 * The web app's quality bar (issue 5): readable at 1280×800 and in a narrow window, a name on
 * every control, usable with the keyboard alone, no layout jump when live data arrives.
 */

const NARROW: Viewport = { width: 480, height: 800 };
const WIDE: Viewport = { width: 1280, height: 800 };

const CAROL = 'carol@example.org';
const DAVE = 'dave@example.org';
const PROJECT = 'CarolsPages';
const IMAGE = `${PROJECT}/greeter`;
const DEPLOYMENT = `${PROJECT}/greeting_pair`;

/**
 * Greets, and with `hold` set to yes waits for the test to write `release` in its working
 * directory first: the layout test looks at the run page while the run is held in Running.
 */
const GREETER_EXECUTE = `#!/bin/sh -e
ss-set statecustom "starting to greet"
if [ "$(ss-get hold)" = yes ]; then
  ss-set statecustom "holding until $PWD/release exists"
  until [ -e release ]; do sleep 0.2; done
fi
echo "hello from $(ss-get hostname)" > greeting.txt
ss-set greeting "$(cat greeting.txt)"
ss-set statecustom "OK: greeted, and this custom state is long enough not to fit its column"
`;
const GREETER_REPORT = `#!/bin/sh -e
cp greeting.txt "$SLIPSTREAM_REPORT_DIR"
`;

let harness: BrowserStack;
let carol: UserApi;
/** A finished run of the deployment, launched while the first tests look at other pages. */
let finishedRun: string;

beforeAll(async () => {
  harness = await BrowserStack.start({ screenshots: 'quality-bar' });
  carol = await harness.signUp(await harness.newContext(), CAROL);
  await carol.saveModule({
    path: PROJECT,
    kind: 'project',
    description: 'The pages the quality bar looks at.',
  });
  const image = {
    path: IMAGE,
    kind: 'image',
    description: 'Writes a greeting, and can be held until the test releases it.',
    parent: 'Public/BaseImages/local-host',
    parameters: [
      { name: 'hold', kind: 'input', default: 'no', description: 'yes: wait for release' },
      { name: 'greeting', kind: 'output', description: 'What the greeter said' },
    ],
    targets: { execute: GREETER_EXECUTE, report: GREETER_REPORT },
  };
  await carol.saveModule(image);
  // A second version, so the Versions tab compares two.
  await carol.saveModule({ ...image, description: `${image.description} Version two.` });
  await carol.saveModule({
    path: DEPLOYMENT,
    kind: 'deployment',
    description: 'Two greeters; the second one never holds.',
    nodes: [
      { name: 'first_greeter', image: IMAGE },
      { name: 'second_greeter', image: IMAGE, multiplicity: 2, mappings: { hold: "'no'" } },
    ],
  });
  finishedRun = (await carol.send('POST', '/api/runs', { module: DEPLOYMENT })).run.id;
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

describe('the web app meets its quality bar', () => {
  for (const viewport of [NARROW, WIDE]) {
    const size = `${viewport.width}×${viewport.height}`;
    it(`fits a ${size} window on every page, with a name on every control`, async () => {
      const narrow = viewport.width < 700;
      /** Checks the page and, in the narrow window, keeps a screenshot of it. */
      async function check(page: Page, name: string, controls: Locator[]): Promise<void> {
        await expectFits(page, `${name} at ${size}`, controls);
        if (narrow) await harness.shot(page, `narrow-${name}`);
      }

      // Signed out: log in and register.
      const visitor = await harness.newPage(viewport);
      await visitor.goto('/login');
      await check(visitor, 'login', [
        visitor.getByRole('textbox', { name: 'E-mail' }),
        visitor.getByLabel(/^Password/),
        visitor.getByRole('button', { name: 'Log in' }),
        visitor.getByRole('main').getByRole('link', { name: 'Register' }),
      ]);
      await visitor.goto('/register');
      await check(visitor, 'register', [
        visitor.getByRole('textbox', { name: 'E-mail' }),
        visitor.getByLabel(/^Password/),
        visitor.getByRole('button', { name: 'Register' }),
      ]);
      await visitor.context().close();

      const context = await harness.newContext(viewport);
      await harness.logIn(context, CAROL);
      const page = await context.newPage();
      const header = page.getByRole('banner');
      const nav = page.getByRole('navigation', { name: 'Main' });
      const headerControls = [
        nav.getByRole('link', { name: 'Projects' }),
        nav.getByRole('link', { name: 'Dashboard' }),
        nav.getByRole('link', { name: 'Profile' }),
        header.getByRole('button', { name: 'Log out' }),
      ];

      await page.goto('/projects');
      await header.getByText(CAROL, { exact: true }).waitFor();
      await check(page, 'projects', [
        ...headerControls,
        page.getByRole('button', { name: 'New Project' }),
        page.getByRole('link', { name: PROJECT }),
        page.getByRole('link', { name: 'Public' }),
      ]);

      await page.goto(`/modules/${PROJECT}`);
      await check(page, 'project', [
        page.getByRole('button', { name: 'New Project' }),
        page.getByRole('button', { name: 'New Machine Image' }),
        page.getByRole('button', { name: 'New Deployment' }),
        page.getByRole('link', { name: 'greeter' }),
        page.getByRole('link', { name: 'greeting_pair' }),
      ]);

      // The image, in view mode: every tab it shows.
      await page.goto(`/modules/${IMAGE}`);
      await page.getByRole('heading', { name: 'greeter Machine image', level: 1 }).waitFor();
      const tabs = page.getByRole('tablist', { name: 'Module sections' });
      const panel = page.getByRole('tabpanel');
      const viewTabs: Record<string, Locator[]> = {
        Summary: [panel.getByText('Version two.')],
        Reference: [panel.getByRole('link', { name: 'Public/BaseImages/local-host' })],
        Parameters: [panel.getByText('yes: wait for release')],
        Targets: [panel.getByLabel('execute script'), panel.getByLabel('report script')],
        Authorization: [panel.getByRole('checkbox', { name: 'Public read' })],
        Versions: [
          panel.getByRole('link', { name: 'Open version 1' }),
          panel.getByRole('combobox', { name: 'From' }),
          panel.getByRole('combobox', { name: 'To' }),
          panel.getByRole('table', { name: 'Changes from version 1 to version 2' }),
        ],
        Runs: [panel.getByRole('combobox', { name: 'State' }), panel.getByText('No runs yet.')],
      };
      expect(await tabs.getByRole('tab').allTextContents()).toEqual(Object.keys(viewTabs));
      for (const [tab, controls] of Object.entries(viewTabs)) {
        await tabs.getByRole('tab', { name: tab }).click();
        await check(page, `image-${tab.toLowerCase()}`, [
          page.getByRole('button', { name: 'Edit' }),
          page.getByRole('button', { name: 'Run', exact: true }),
          tabs.getByRole('tab', { name: tab, selected: true }),
          ...controls,
        ]);
      }

      // The image in edit mode: every tab, and the reference chooser.
      await tabs.getByRole('tab', { name: 'Summary' }).click();
      await page.getByRole('button', { name: 'Edit' }).click();
      // Edit opens the form; it does not submit it (the Save button is not saving).
      await page.getByRole('button', { name: 'Save' }).waitFor();
      const editTabs: Record<string, Locator[]> = {
        Summary: [
          panel.getByRole('textbox', { name: 'Description' }),
          panel.getByRole('textbox', { name: /^Comment/ }),
        ],
        Reference: [
          panel.getByRole('textbox', { name: /^Reference image/ }),
          panel.getByRole('button', { name: 'Choose Reference' }),
          panel.getByRole('button', { name: 'Add image id' }),
        ],
        Parameters: [
          panel.getByRole('textbox', { name: 'input parameter 1 name' }),
          panel.getByRole('textbox', { name: 'hold default' }),
          panel.getByRole('textbox', { name: 'hold description' }),
          panel.getByRole('button', { name: 'Remove parameter hold' }),
          panel.getByRole('button', { name: 'Remove parameter greeting' }),
          panel.getByRole('button', { name: 'Add Parameter' }).first(),
        ],
        Targets: [
          panel.getByRole('textbox', { name: /^execute/ }),
          panel.getByRole('button', { name: 'Remove target execute' }),
          panel.getByRole('combobox', { name: 'Target' }),
          panel.getByRole('button', { name: 'Add Target' }),
        ],
        Creation: [
          panel.getByRole('textbox', { name: /^Packages/ }),
          panel.getByRole('textbox', { name: /^Recipe/ }),
        ],
        Authorization: [panel.getByRole('checkbox', { name: 'Public read' })],
      };
      expect(await tabs.getByRole('tab').allTextContents()).toEqual(Object.keys(editTabs));
      for (const [tab, controls] of Object.entries(editTabs)) {
        await tabs.getByRole('tab', { name: tab }).click();
        await check(page, `image-edit-${tab.toLowerCase()}`, [
          page.getByRole('button', { name: 'Save' }),
          page.getByRole('button', { name: 'Cancel' }),
          ...controls,
        ]);
      }
      await tabs.getByRole('tab', { name: 'Reference' }).click();
      await panel.getByRole('button', { name: 'Choose Reference' }).click();
      const chooser = page.getByRole('dialog', { name: 'Choose the reference image' });
      await check(page, 'image-edit-reference-chooser', [
        chooser.getByRole('button', { name: 'Close' }),
        chooser.getByRole('button', { name: /^local-host\b/ }),
        chooser.getByRole('button', { name: 'Cancel' }),
        chooser.getByRole('button', { name: 'Select' }),
      ]);
      await chooser.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Edit' }).waitFor();

      // The deployment: its nodes, their editor, and the run dialog.
      await page.goto(`/modules/${DEPLOYMENT}`);
      await page.getByRole('heading', { name: 'greeting_pair Deployment', level: 1 }).waitFor();
      await tabs.getByRole('tab', { name: 'Nodes' }).click();
      await check(page, 'deployment-nodes', [
        page.getByRole('button', { name: 'Edit' }),
        page.getByRole('button', { name: 'Run', exact: true }),
        panel.getByRole('img', { name: /first_greeter/ }),
        panel
          .getByRole('group', { name: 'Node second_greeter' })
          .getByRole('link', { name: IMAGE }),
      ]);
      await page.getByRole('button', { name: 'Edit' }).click();
      await tabs.getByRole('tab', { name: 'Nodes' }).click();
      const second = panel.getByRole('group', { name: 'Node second_greeter' });
      await check(page, 'deployment-edit-nodes', [
        second.getByRole('textbox', { name: 'Node name' }),
        second.getByRole('textbox', { name: 'Image' }),
        second.getByRole('button', { name: 'Choose image of node second_greeter' }),
        second.getByRole('spinbutton', { name: 'Multiplicity' }),
        second.getByRole('textbox', { name: /^Cloud/ }),
        second.getByRole('combobox', { name: 'hold linked to' }),
        second.getByRole('button', { name: 'Remove node second_greeter' }),
        panel.getByRole('button', { name: 'Add Node' }),
      ]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Run ${DEPLOYMENT}` });
      await check(page, 'run-dialog', [
        dialog.getByRole('spinbutton', { name: 'Multiplicity of first_greeter' }),
        dialog.getByRole('textbox', { name: 'first_greeter: hold' }),
        dialog.getByRole('spinbutton', { name: 'Multiplicity of second_greeter' }),
        dialog.getByRole('combobox', { name: 'Cloud' }),
        dialog.getByRole('combobox', { name: 'Keep running' }),
        dialog.getByRole('spinbutton', { name: 'Timeout (minutes)' }),
        dialog.getByRole('button', { name: 'Cancel' }),
        dialog.getByRole('button', { name: 'Run', exact: true }),
      ]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });

      // The finished run: its instances, and a report read in the page.
      await eventually(
        async () =>
          ['Done', 'Aborted'].includes(
            (await carol.send('GET', `/api/runs/${finishedRun}`)).run.state,
          )
            ? true
            : undefined,
        RUN_MS,
        'the run launched before the tests to end',
      );
      await page.goto(`/runs/${finishedRun}`);
      await page.getByText('Done (success)', { exact: true }).waitFor();
      const instances = page.getByRole('table', { name: 'Instances' });
      await instances
        .getByText(/^OK: greeted/)
        .first()
        .waitFor();
      const read = page.getByRole('button', { name: 'Read second_greeter-2' });
      await read.click();
      await page.getByRole('button', { name: 'greeting.txt' }).click();
      await page
        .getByLabel('Content of greeting.txt')
        .getByText(/^hello from /)
        .waitFor();
      await check(page, 'run-done-report', [
        page.getByRole('link', { name: DEPLOYMENT }),
        page.getByRole('button', { name: 'Abort' }),
        page.getByRole('button', { name: 'Terminate' }),
        instances.getByRole('columnheader', { name: 'Instance', exact: true }),
        instances.getByRole('columnheader', { name: 'State', exact: true }),
        instances.getByRole('cell', { name: 'first_greeter-1' }),
        page.getByRole('searchbox', { name: 'Filter parameters' }),
        page.getByRole('combobox', { name: 'Instance' }),
        page.getByRole('link', { name: /^first_greeter-1.*\.tar\.gz$/ }),
        read,
        page.getByLabel('Content of greeting.txt'),
      ]);

      await page.goto('/dashboard');
      await check(page, 'dashboard', [
        ...headerControls,
        page.getByRole('textbox', { name: 'Module' }),
        page.getByRole('combobox', { name: 'State' }),
        page.getByRole('link', { name: `Run ${finishedRun}` }),
        page.getByRole('link', { name: DEPLOYMENT }),
        page.getByText('Done (success)', { exact: true }),
      ]);

      await page.goto('/profile');
      await check(page, 'profile', [
        page.getByRole('combobox', { name: 'Default cloud' }),
        page.getByRole('combobox', { name: 'Keep machines running' }),
        page.getByRole('spinbutton', { name: 'Run timeout (minutes)' }),
        page.getByRole('button', { name: 'Save settings' }),
        page.getByRole('combobox', { name: 'Cloud', exact: true }),
        page.getByRole('button', { name: 'Save credentials' }),
        page.getByRole('textbox', { name: 'Token name' }),
        page.getByRole('button', { name: 'Create token' }),
      ]);
      await context.close();
    });
  }

  it('keeps the instance table in place while the run advances to Done', async () => {
    const { run } = await carol.send('POST', '/api/runs', {
      module: DEPLOYMENT,
      parameters: { first_greeter: { hold: 'yes' } },
    });
    const context = await harness.newContext(WIDE);
    await harness.logIn(context, CAROL);
    // One window of each size on the same run.
    const pages = [await context.newPage(), await context.newPage()];
    await pages[1]!.setViewportSize(NARROW);
    const headers = pages.map((page) =>
      page.getByRole('table', { name: 'Instances' }).locator('thead'),
    );
    const first = (page: Page) =>
      page.getByRole('table', { name: 'Instances' }).getByRole('row').filter({
        hasText: 'first_greeter-1',
      });

    const tops: number[][] = [[], []];
    for (const [i, page] of pages.entries()) {
      await page.goto(`/runs/${run.id}`);
      await headers[i]!.waitFor();
      tops[i]!.push(await documentTop(headers[i]!));
    }
    // Held in Running: the state and the custom state arrived live.
    const held = await eventually(
      async () => {
        const { run: now } = await carol.send('GET', `/api/runs/${run.id}`);
        const instance = (now.instances as { name: string; statecustom: string | null }[]).find(
          (candidate) => candidate.name === 'first_greeter-1',
        );
        return instance?.statecustom?.startsWith('holding until ')
          ? instance.statecustom
          : undefined;
      },
      RUN_MS,
      'first_greeter-1 to hold',
    );
    for (const [i, page] of pages.entries()) {
      await first(page)
        .getByText(/^holding until /)
        .waitFor({ timeout: STEP_MS });
      await first(page).getByRole('cell', { name: 'Running', exact: true }).waitFor();
      tops[i]!.push(await documentTop(headers[i]!));
    }
    await harness.shot(pages[1]!, 'narrow-run-held');

    const releaseFile = /^holding until (.*) exists$/.exec(held)?.[1];
    expect(releaseFile, held).toBeTruthy();
    await writeFile(releaseFile!, '');
    for (const [i, page] of pages.entries()) {
      expect(await harness.runEnd(page, `/runs/${run.id}`)).toBe('Done (success)');
      await first(page)
        .getByText(/^OK: greeted/)
        .waitFor();
      await page.getByRole('button', { name: 'Read first_greeter-1' }).waitFor();
      expect(await first(page).getByRole('cell').nth(1).textContent()).toBe('Done');
      tops[i]!.push(await documentTop(headers[i]!));
    }
    await harness.shot(pages[1]!, 'narrow-run-released');
    for (const [i, measured] of tops.entries()) {
      const width = i === 0 ? WIDE.width : NARROW.width;
      expect(measured, `the instance table's top at ${width} px: first seen, held, done`).toEqual([
        measured[0],
        measured[0],
        measured[0],
      ]);
    }
    await context.close();
  });

  it('can be used with the keyboard alone: log in, build an image and a deployment, run it, read the report', async () => {
    const page = await harness.newPage(WIDE);
    await harness.registerAndConfirm(page.context().request, DAVE);
    const keys = (...pressed: string[]) =>
      pressed.reduce(
        (previous, key) => previous.then(() => page.keyboard.press(key)),
        Promise.resolve(),
      );

    // Log in.
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await tabTo(page, page.getByRole('textbox', { name: 'E-mail' }));
    await page.keyboard.type(DAVE);
    await tabTo(page, page.getByLabel(/^Password/));
    await page.keyboard.type(PASSWORD);
    await keys('Enter');
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();

    // A project: Enter in its name saves it.
    await tabTo(page, page.getByRole('button', { name: 'New Project' }));
    await keys('Enter');
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    await tabTo(page, page.getByRole('textbox', { name: /^Name/ }));
    await page.keyboard.type('DavesKeys');
    await keys('Enter');
    await page.getByRole('heading', { name: 'DavesKeys Project', level: 1 }).waitFor();

    // An image on the local cloud's base image, chosen in the chooser.
    await tabTo(page, page.getByRole('button', { name: 'New Machine Image' }));
    await keys('Enter');
    await page.getByRole('heading', { name: 'New machine image' }).waitFor();
    await tabTo(page, page.getByRole('textbox', { name: /^Name/ }));
    await page.keyboard.type('typed');
    await tabTo(page, page.getByRole('tab', { name: 'Summary' }), { back: true });
    await keys('ArrowRight');
    await expectFocusOn(page, page.getByRole('tab', { name: 'Reference', selected: true }));
    await tabTo(page, page.getByRole('button', { name: 'Choose Reference' }));
    await keys('Enter');
    const chooser = page.getByRole('dialog', { name: 'Choose the reference image' });
    await chooseByKeyboard(page, chooser, ['Public/', 'BaseImages/'], 'local-host');
    await expectFocusOn(page, page.getByRole('button', { name: 'Choose Reference' }));
    expect(await page.getByRole('textbox', { name: /^Reference image/ }).inputValue()).toBe(
      'Public/BaseImages/local-host',
    );

    // Its execute target, typed into the script editor; Tab leaves the editor.
    await tabTo(page, page.getByRole('tab', { name: 'Reference' }), { back: true });
    await keys('ArrowRight', 'ArrowRight');
    await expectFocusOn(page, page.getByRole('tab', { name: 'Targets', selected: true }));
    await tabTo(page, page.getByRole('button', { name: 'Add Target' }));
    await keys('Enter');
    const script = page.getByRole('textbox', { name: /^execute/ });
    await tabTo(page, script, { back: true });
    await keys('Control+End');
    await page.keyboard.type('ss-set statecustom "typed, not clicked"\n');
    expect(await script.inputValue()).toBe(
      '#!/bin/sh -xe\nss-set statecustom "typed, not clicked"\n',
    );
    await keys('Tab');
    await expectFocusOn(page, page.getByRole('button', { name: 'Remove target execute' }));
    await tabTo(page, page.getByRole('button', { name: 'Save' }), { back: true });
    await keys('Enter');
    await page.getByRole('heading', { name: 'typed Machine image', level: 1 }).waitFor();

    // A deployment with one node of that image.
    await tabTo(
      page,
      page
        .getByRole('navigation', { name: 'Breadcrumbs' })
        .getByRole('link', { name: 'DavesKeys' }),
    );
    await keys('Enter');
    await tabTo(page, page.getByRole('button', { name: 'New Deployment' }));
    await keys('Enter');
    await page.getByRole('heading', { name: 'New deployment' }).waitFor();
    await tabTo(page, page.getByRole('textbox', { name: /^Name/ }));
    await page.keyboard.type('typed_alone');
    await tabTo(page, page.getByRole('tab', { name: 'Summary' }), { back: true });
    await keys('ArrowRight');
    await expectFocusOn(page, page.getByRole('tab', { name: 'Nodes', selected: true }));
    const addNode = page.getByRole('button', { name: 'Add Node' });
    await tabTo(page, addNode);
    await keys('Enter');
    const nodeChooser = page.getByRole('dialog', { name: "Choose the node's image" });
    await nodeChooser.waitFor();
    await keys('Escape');
    await nodeChooser.waitFor({ state: 'detached' });
    await expectFocusOn(page, addNode);
    await keys('Enter');
    await chooseByKeyboard(page, nodeChooser, ['DavesKeys/'], 'typed');
    await expectFocusOn(page, addNode);
    const node = page.getByRole('group', { name: /^Node typed/ });
    await node.waitFor();
    const nodeName = await node.getByRole('textbox', { name: 'Node name' }).inputValue();
    await tabTo(page, page.getByRole('button', { name: 'Save' }), { back: true });
    await keys('Enter');
    await page.getByRole('heading', { name: 'typed_alone Deployment', level: 1 }).waitFor();

    // The run dialog: Escape closes it and gives the focus back; Tab stays inside it.
    const runButton = page.getByRole('button', { name: 'Run', exact: true });
    await tabTo(page, runButton);
    await keys('Enter');
    const dialog = page.getByRole('dialog', { name: 'Run DavesKeys/typed_alone' });
    await dialog.waitFor();
    await expectFocusOn(
      page,
      dialog.getByRole('spinbutton', { name: `Multiplicity of ${nodeName}` }),
    );
    await keys('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expectFocusOn(page, runButton);
    await keys('Enter');
    await dialog.waitFor();
    // Round and round: Tab and Shift+Tab wrap inside the dialog.
    for (const key of [...Array<string>(12).fill('Tab'), ...Array<string>(12).fill('Shift+Tab')]) {
      await keys(key);
      expect(
        await holdsFocus(dialog),
        `${key} left the dialog for ${(await focusState(page)).element}`,
      ).toBe(true);
    }
    await tabTo(page, dialog.getByRole('button', { name: 'Run', exact: true }), { within: dialog });
    await keys('Enter');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: STEP_MS });
    const runPath = new URL(page.url()).pathname;
    expect(await harness.runEnd(page, runPath)).toBe('Done (success)');
    const instance = `${nodeName}-1`;
    await page
      .getByRole('table', { name: 'Instances' })
      .getByRole('row')
      .filter({ hasText: instance })
      .getByText('typed, not clicked')
      .waitFor();

    // The report, read in the page.
    await tabTo(page, page.getByRole('button', { name: `Read ${instance}` }));
    await keys('Enter');
    await tabTo(page, page.getByRole('button', { name: 'execute.log' }));
    await keys('Space');
    const log = page.getByLabel('Content of execute.log');
    await log.waitFor();
    expect(await log.textContent()).toContain('ss-set statecustom');
    await harness.shot(page, 'keyboard-report');
    await page.context().close();
  });
});

/**
 * In a chooser that has the focus: arrow down to each project and open it with Enter, then
 * to the image and choose it with Space; Tab to Select and Enter. The focus never leaves the
 * chooser.
 */
async function chooseByKeyboard(
  page: Page,
  chooser: Locator,
  projects: string[],
  image: string,
): Promise<void> {
  await chooser.waitFor();
  const list = chooser.getByRole('group', { name: /^(Projects|Modules in .*)$/ });
  for (const project of projects) {
    await arrowTo(page, list, chooser.getByRole('button', { name: project, exact: true }));
    await page.keyboard.press('Enter');
    await chooser
      .getByRole('navigation', { name: 'Chooser location' })
      .getByRole('button', { name: project.slice(0, -1), exact: true })
      .waitFor();
  }
  const item = chooser.getByRole('button', { name: new RegExp(`^${image}\\b`) });
  await arrowTo(page, list, item);
  await page.keyboard.press('Space');
  await chooser.getByRole('button', { name: new RegExp(`^${image}\\b`), pressed: true }).waitFor();
  await tabTo(page, chooser.getByRole('button', { name: 'Select' }), { within: chooser });
  await page.keyboard.press('Enter');
  await chooser.waitFor({ state: 'detached' });
}

/**
 * The focus is on an item of the chooser's list (it moves to the first one when a project
 * opens); ArrowDown or ArrowUp walks the items until `target` has the focus.
 */
async function arrowTo(page: Page, list: Locator, target: Locator): Promise<void> {
  await target.waitFor();
  const items = list.getByRole('button');
  const focused = () =>
    items.evaluateAll((elements) => elements.indexOf(document.activeElement as HTMLElement));
  await eventually(
    async () => ((await focused()) >= 0 ? true : undefined),
    STEP_MS,
    'the focus on an item of the list',
  ).catch(async (error: unknown) => {
    throw new Error(`${String(error)}; the focus is on ${(await focusState(page)).element}`);
  });
  const from = await focused();
  const to = await target.evaluate((element) =>
    [...(element.closest('[role="group"]')?.querySelectorAll('button') ?? [])].indexOf(
      element as HTMLButtonElement,
    ),
  );
  for (let step = 0; step < Math.abs(to - from); step += 1) {
    await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
    expect(await holdsFocus(list), 'the arrow keys keep the focus in the list').toBe(true);
  }
  await expectFocusOn(page, target);
}
