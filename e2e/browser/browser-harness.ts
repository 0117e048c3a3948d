import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { webAppDirectory } from '@slipway/web';
import {
  chromium,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { eventually, REPO, Stack } from '../system/stack.js';

export const PASSWORD = 'correct horse battery';
/** Generous: the machine is shared and at times loaded; nothing here measures time. */
export const STEP_MS = 30_000;
export const RUN_MS = 150_000;

export interface Viewport {
  width: number;
  height: number;
}

/**
 * The whole stack serving the built web app, and Debian's Chromium driving it. Each browser
 * test file starts one; its screenshots go to e2e/output/screenshots/<directory>.
 */
export class BrowserStack {
  private shots = 0;

  private constructor(
    readonly stack: Stack,
    readonly browser: Browser,
    private readonly screenshots: string,
  ) {}

  static async start(options: { screenshots: string }): Promise<BrowserStack> {
    const webDir = await builtWebApp();
    const screenshots = join(REPO, 'e2e/output/screenshots', options.screenshots);
    // Only this file's pictures go: other files keep theirs in their own directory.
    await mkdir(screenshots, { recursive: true });
    for (const file of await readdir(screenshots))
      if (file.endsWith('.png')) await rm(join(screenshots, file));
    const stack = await Stack.start({ workers: 1, webDir });
    const browser = await chromium.launch({
      // Debian's chromium (apt-get install chromium); playwright-core downloads no browser.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return new BrowserStack(stack, browser, screenshots);
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.stack.stop();
  }

  /** A fresh browser context (its own cookies) on the stack's URL. */
  async newContext(viewport: Viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    const context = await this.browser.newContext({ baseURL: this.stack.api.url, viewport });
    context.setDefaultTimeout(STEP_MS);
    return context;
  }

  /** A page of a fresh browser context. */
  async newPage(viewport?: Viewport): Promise<Page> {
    return (await this.newContext(viewport)).newPage();
  }

  /** A full-page screenshot: e2e/output/screenshots/<directory>/<NN-name>.png. */
  async shot(page: Page, name: string): Promise<void> {
    this.shots += 1;
    const file = `${String(this.shots).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(this.screenshots, file), fullPage: true });
  }

  /** The register form, the link the API logged (there is no mail transport), the login form. */
  async registerConfirmAndLogIn(page: Page, email: string): Promise<void> {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Register' }).waitFor();
    await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await this.shot(page, `register-${email.split('@')[0]}`);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('status').filter({ hasText: email }).waitFor();

    await page.goto(await this.confirmationLink(email));
    await page
      .getByRole('status')
      .filter({ hasText: `${email} is confirmed` })
      .waitFor();
    expect(await page.getByRole('textbox', { name: 'E-mail' }).inputValue()).toBe(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await this.shot(page, `login-${email.split('@')[0]}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await page.getByText(email, { exact: true }).waitFor();
    await this.shot(page, `projects-${email.split('@')[0]}`);
  }

  /**
   * Registers and confirms `email` through the API, for tests about something other than
   * the sign-up forms.
   */
  async registerAndConfirm(request: APIRequestContext, email: string): Promise<void> {
    await expectOk(
      request.post('/api/auth/register', { data: { email, password: PASSWORD } }),
      'register',
    );
    await expectOk(request.get(await this.confirmationLink(email)), 'confirm');
  }

  /** Registers, confirms and signs the context in. */
  async signUp(context: BrowserContext, email: string): Promise<UserApi> {
    await this.registerAndConfirm(context.request, email);
    return this.logIn(context, email);
  }

  /** Signs the context in through the API: its pages share the session cookie. */
  async logIn(context: BrowserContext, email: string): Promise<UserApi> {
    const login = await expectOk(
      context.request.post('/api/auth/login', { data: { email, password: PASSWORD } }),
      'log in',
    );
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    return new UserApi(context.request, csrfToken);
  }

  private confirmationLink(email: string): Promise<string> {
    return eventually(
      async () => this.stack.confirmationLink(email),
      STEP_MS,
      `the confirmation link of ${email}`,
    );
  }

  /**
   * Waits for the run page to show a final state, and returns it. When it does not come, the
   * error tells where the run is (from the API) and the page is kept as a screenshot.
   */
  async runEnd(page: Page, runPath: string): Promise<string> {
    const done = page.getByText(/^Done \(\w+\)$/);
    const aborted = page.getByRole('alert').filter({ hasText: /^Aborted: / });
    try {
      await done.or(aborted).first().waitFor({ timeout: RUN_MS });
    } catch (error) {
      await this.shot(page, 'run-not-ended');
      const { run } = await this.stack.get(`/api${runPath}`);
      const instances = (run.instances as { name: string; completed: string | null }[])
        .map((instance) => `${instance.name}: ${instance.completed ?? 'not completed'}`)
        .join(', ');
      throw new Error(
        `the run page showed no final state; the run is ${run.state} (${instances})`,
        {
          cause: error,
        },
      );
    }
    if ((await aborted.count()) > 0) return `Aborted: ${await aborted.first().textContent()}`;
    return (await done.textContent()) ?? '';
  }
}

/** The API as a signed-in user of a browser context: cookie and CSRF token. */
export class UserApi {
  constructor(
    private readonly request: APIRequestContext,
    private readonly csrfToken: string,
  ) {}

  async send<T = any>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const response = await expectOk(
      this.request.fetch(path, {
        method,
        headers: { 'X-CSRF-Token': this.csrfToken },
        ...(body !== undefined && { data: body }),
      }),
      `${method} ${path}`,
    );
    return (await response.json()) as T;
  }

  /** Saves a module document (PUT /api/modules/<path>). */
  async saveModule(document: { path: string; kind: string } & Record<string, unknown>) {
    const url = `/api/modules/${document.path.split('/').map(encodeURIComponent).join('/')}`;
    return this.send('PUT', url, { document });
  }
}

async function expectOk<R extends { ok(): boolean; status(): number; text(): Promise<string> }>(
  response: Promise<R>,
  what: string,
): Promise<R> {
  const answer = await response;
  if (!answer.ok()) throw new Error(`${what}: HTTP ${answer.status()} ${await answer.text()}`);
  return answer;
}

/** apps/web/dist, built again when any source it is built from changed since (turbo builds it before e2e's test in CI). */
async function builtWebApp(): Promise<string> {
  const dir = webAppDirectory();
  const built = await stat(join(dir, 'index.html')).then(
    (file) => file.mtimeMs,
    () => 0,
  );
  const sources = [
    'apps/web/src',
    'apps/web/index.html',
    'apps/web/vite.config.ts',
    'packages/domain/src',
    'packages/contracts/src',
  ];
  let newest = 0;
  for (const source of sources) {
    const path = join(REPO, source);
    const files = (await stat(path)).isDirectory()
      ? (await readdir(path, { recursive: true })).map((file) => join(path, file))
      : [path];
    for (const file of files) newest = Math.max(newest, (await stat(file)).mtimeMs);
  }
  if (built < newest) {
    await promisify(execFile)('pnpm', ['--filter', '@slipway/web', 'run', 'build'], {
      cwd: REPO,
      // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 150_000,
    });
  }
  return dir;
}
