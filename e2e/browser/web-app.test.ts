import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserStack, STEP_MS } from './browser-harness.js';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const PROJECT = 'AliceTutorial';
const HELLO = `${PROJECT}/HelloWorld`;

/** The tutorial's scripts as shipped in Public/Tutorials/HelloWorld (apps/api/content). */
const APACHE_EXECUTE = `#!/bin/sh -xe
mkdir -p www
echo 'Hello from Apache deployed by SlipStream!' > www/data.txt

port=$(ss-get port)
hostname=$(ss-get hostname)
(cd www && exec python3 -m http.server "$port" --bind "$hostname") > access.log 2>&1 &

# Tell the clients only once the server answers.
tries=0
until wget -q -O /dev/null "http://$hostname:$port/data.txt"; do
  tries=$((tries + 1))
  [ "$tries" -lt 100 ] || { ss-abort "the web server did not start on port $port"; exit 1; }
  sleep 0.1
done
ss-set ready true
`;
const APACHE_REPORT = `#!/bin/sh -x
cp access.log $SLIPSTREAM_REPORT_DIR
`;
const TESTCLIENT_EXECUTE = `#!/bin/sh -xe
# Wait for the metadata to be resolved
web_server_ip=$(ss-get --timeout 360 webserver.hostname)
web_server_port=$(ss-get --timeout 360 webserver.port)
ss-get --timeout 360 webserver.ready

# Execute the test
ENDPOINT=http://\${web_server_ip}:\${web_server_port}/data.txt
wget -O /tmp/data.txt \${ENDPOINT} && \\
    ss-set statecustom "OK: $(cat /tmp/data.txt)" || \\
    ss-abort "Could not get the test file: \${ENDPOINT}"
`;
const TESTCLIENT_REPORT = `#!/bin/sh -x
cp /tmp/data.txt $SLIPSTREAM_REPORT_DIR
`;

let harness: BrowserStack;

beforeAll(async () => {
  harness = await BrowserStack.start({ screenshots: '' });
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

describe('the web app, in a real browser, against the whole stack', () => {
  let runPath: string;

  it('walks the Hello World tutorial: register, confirm, log in, build the images and the deployment, run it, read the report', async () => {
    const page = await newPage();
    await harness.registerConfirmAndLogIn(page, ALICE);

    // A root project for the tutorial, and HelloWorld in it.
    await page.getByRole('button', { name: 'New Project' }).click();
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    await page.getByRole('textbox', { name: /^Name/ }).fill(PROJECT);
    await page.getByRole('textbox', { name: 'Description' }).fill('Where I follow the tutorial.');
    await shot(page, 'new-project');
    await saveAndOpen(page, PROJECT, 'Project');
    await page.getByRole('button', { name: 'New Project' }).click();
    await page.getByRole('textbox', { name: /^Name/ }).fill('HelloWorld');
    await saveAndOpen(page, HELLO, 'Project');
    await shot(page, 'project-helloworld');

    // The web server image.
    await page.getByRole('button', { name: 'New Machine Image' }).click();
    await page.getByRole('heading', { name: 'New machine image' }).waitFor();
    await page.getByRole('textbox', { name: /^Name/ }).fill('apache');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('A web server serving data.txt on its port.');
    await chooseReference(page);
    await page.getByRole('tab', { name: 'Parameters' }).click();
    await addParameter(page, 'output', 'port', 'Port the web server listens on', '8080');
    await addParameter(page, 'output', 'ready', 'Set to true once the server answers');
    await shot(page, 'apache-parameters');
    await page.getByRole('tab', { name: 'Targets' }).click();
    await addTarget(page, 'execute', APACHE_EXECUTE);
    await addTarget(page, 'report', APACHE_REPORT);
    await shot(page, 'apache-targets');
    await saveAndOpen(page, `${HELLO}/apache`, 'Machine image');
    await shot(page, 'apache');

    // The test client image.
    await page
      .getByRole('navigation', { name: 'Breadcrumbs' })
      .getByRole('link', { name: 'HelloWorld' })
      .click();
    await page.getByRole('button', { name: 'New Machine Image' }).click();
    await page.getByRole('textbox', { name: /^Name/ }).fill('testclient');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill("The tutorial's test client: fetches data.txt from the web server.");
    await chooseReference(page);
    await page.getByRole('tab', { name: 'Parameters' }).click();
    await addParameter(page, 'input', 'webserver.hostname', 'Where the web server runs');
    await addParameter(page, 'input', 'webserver.port', "The web server's port");
    await addParameter(page, 'input', 'webserver.ready', 'Set once the web server answers');
    await shot(page, 'testclient-parameters');
    await page.getByRole('tab', { name: 'Targets' }).click();
    await addTarget(page, 'execute', TESTCLIENT_EXECUTE);
    await addTarget(page, 'report', TESTCLIENT_REPORT);
    await saveAndOpen(page, `${HELLO}/testclient`, 'Machine image');
    await shot(page, 'testclient');

    // The deployment: two nodes, the client's inputs linked to the server's outputs.
    await page
      .getByRole('navigation', { name: 'Breadcrumbs' })
      .getByRole('link', { name: 'HelloWorld' })
      .click();
    await page.getByRole('button', { name: 'New Deployment' }).click();
    await page.getByRole('heading', { name: 'New deployment' }).waitFor();
    await page.getByRole('textbox', { name: /^Name/ }).fill('client_server');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('The Hello World client/server test.');
    await page.getByRole('tab', { name: 'Nodes' }).click();
    await addNode(page, 'apache', 'apache1');
    await addNode(page, 'testclient', 'testclient1');
    const client = page.getByRole('group', { name: 'Node testclient1' });
    await client
      .getByRole('combobox', { name: 'webserver.hostname linked to' })
      .fill('apache1:hostname');
    await client.getByRole('combobox', { name: 'webserver.port linked to' }).fill('apache1:port');
    await client.getByRole('combobox', { name: 'webserver.ready linked to' }).fill('apache1:ready');
    await shot(page, 'client-server-nodes');
    await saveAndOpen(page, `${HELLO}/client_server`, 'Deployment');
    await page.getByRole('tab', { name: 'Nodes' }).click();
    await page
      .getByRole('img', { name: /links: .*apache1:hostname → webserver\.hostname on testclient1/ })
      .waitFor();
    await shot(page, 'client-server');

    // Run it, and watch the run page follow it live to the end.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Run ${HELLO}/client_server` });
    await dialog.getByRole('spinbutton', { name: 'Multiplicity of testclient1' }).waitFor();
    await shot(page, 'run-dialog');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: STEP_MS });
    runPath = new URL(page.url()).pathname;
    await page.getByText('live', { exact: true }).waitFor();
    await shot(page, 'run-started');
    const state = await harness.runEnd(page, runPath);
    await shot(page, 'run-done');
    expect(state).toBe('Done (success)');
    const instances = page.getByRole('table', { name: 'Instances' });
    const clientRow = instances.getByRole('row').filter({ hasText: 'testclient1-1' });
    await clientRow.getByText('OK: Hello from Apache deployed by SlipStream!').waitFor();
    // The instances followed the run live: none is left showing an earlier state.
    for (const name of ['apache1-1', 'testclient1-1'])
      expect(
        await instances
          .getByRole('row')
          .filter({ hasText: name })
          .getByRole('cell')
          .nth(1)
          .textContent(),
      ).toBe('Done');

    // The client's report, read in the page.
    await page.getByRole('button', { name: 'Read testclient1-1' }).click();
    await page.getByRole('list', { name: 'Files of testclient1-1' }).waitFor();
    await page.getByRole('button', { name: 'data.txt' }).click();
    const content = page.getByLabel('Content of data.txt');
    await content.waitFor();
    expect(await content.textContent()).toBe('Hello from Apache deployed by SlipStream!\n');
    await shot(page, 'run-report');
    await page.context().close();
  });

  it("keeps Alice's private project from another user", async () => {
    expect(runPath, 'the tutorial run above').toBeTruthy();
    const page = await newPage();
    await harness.registerConfirmAndLogIn(page, BOB);

    // The root projects: Public is there, Alice's project is not.
    const projects = page.getByRole('table');
    await projects.getByRole('link', { name: 'Public' }).waitFor();
    expect(await projects.getByRole('link', { name: PROJECT }).count()).toBe(0);

    for (const path of [PROJECT, `${HELLO}/apache`]) {
      await page.goto(`/modules/${path}`);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: STEP_MS });
      expect(await alert.textContent()).toContain(
        `module ${path} does not exist or you cannot read it`,
      );
      // The path is Bob's own URL, in the breadcrumbs; nothing of the module is shown.
      expect(await page.getByRole('form').count()).toBe(0);
      expect(await page.getByRole('tablist').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'New Machine Image' }).count()).toBe(0);
      expect(await page.getByText('Hello from Apache').count()).toBe(0);
      await shot(page, `other-user-${path.split('/').at(-1)}`);
    }

    await page.goto(runPath);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: STEP_MS });
    expect(await alert.textContent()).toMatch(/does not exist or you cannot/);
    expect(await page.getByRole('table', { name: 'Instances' }).count()).toBe(0);
    await shot(page, 'other-user-run');
    await page.context().close();
  });
});

function newPage(): Promise<Page> {
  return harness.newPage();
}

function shot(page: Page, name: string): Promise<void> {
  return harness.shot(page, name);
}

/** Saves the module form and waits for the saved module's page. */
async function saveAndOpen(page: Page, path: string, kind: string): Promise<void> {
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL((url) => url.pathname === `/modules/${path}`, { timeout: STEP_MS });
  const name = path.split('/').at(-1) ?? path;
  await page.getByRole('heading', { name: `${name} ${kind}`, level: 1 }).waitFor();
}

/** Reference tab → Choose Reference → Public/BaseImages/local-host, the local cloud's base image. */
async function chooseReference(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Reference' }).click();
  await page.getByRole('button', { name: 'Choose Reference' }).click();
  const chooser = page.getByRole('dialog', { name: 'Choose the reference image' });
  await chooseImage(chooser, ['Public', 'BaseImages'], 'local-host');
  await shot(page, 'choose-reference');
  await chooser.getByRole('button', { name: 'Select' }).click();
  await chooser.waitFor({ state: 'detached' });
  expect(await page.getByRole('textbox', { name: /^Reference image/ }).inputValue()).toBe(
    'Public/BaseImages/local-host',
  );
}

/** Opens each project in the chooser, then picks the image. */
async function chooseImage(chooser: Locator, projects: string[], image: string): Promise<void> {
  for (const project of projects)
    await chooser.getByRole('button', { name: `${project}/`, exact: true }).click();
  await chooser.getByRole('button', { name: new RegExp(`^${image}\\b`) }).click();
}

async function addParameter(
  page: Page,
  kind: 'input' | 'output',
  name: string,
  description: string,
  value?: string,
): Promise<void> {
  const section = page.getByRole('region', {
    name: kind === 'input' ? 'Input parameters' : 'Output parameters',
  });
  await section.getByRole('button', { name: 'Add Parameter' }).click();
  await section
    .getByRole('textbox', { name: /^(input|output) parameter \d+ name$/ })
    .last()
    .fill(name);
  await section.getByRole('textbox', { name: `${name} description` }).fill(description);
  if (value !== undefined)
    await section.getByRole('textbox', { name: `${name} default` }).fill(value);
}

async function addTarget(page: Page, name: string, script: string): Promise<void> {
  await page.getByRole('combobox', { name: /^Target/ }).selectOption(name);
  await page.getByRole('button', { name: 'Add Target' }).click();
  await page.getByRole('textbox', { name: new RegExp(`^${name}\\b`) }).fill(script);
}

async function addNode(page: Page, image: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Add Node' }).click();
  const chooser = page.getByRole('dialog', { name: "Choose the node's image" });
  await chooseImage(chooser, [PROJECT, 'HelloWorld'], image);
  await chooser.getByRole('button', { name: 'Select' }).click();
  await chooser.waitFor({ state: 'detached' });
  const node = page.getByRole('group', { name: `Node ${image}` });
  await node.getByRole('textbox', { name: 'Node name' }).fill(name);
  await page.getByRole('group', { name: `Node ${name}` }).waitFor();
}
