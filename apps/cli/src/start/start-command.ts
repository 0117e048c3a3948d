import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAdminToken, loadConfig as loadApiConfig, seedContent, startApi } from '@slipway/api';
import { BRIDGE_ADDRESS } from '@slipway/cloud';
import { connectDatabase } from '@slipway/db';
import { loadConfig as loadOrchestratorConfig, startOrchestrator } from '@slipway/orchestrator';
import { pino } from 'pino';
import { readCliConfig, writeCliConfig } from '../cli-config.js';
import { environment } from '../config.js';
import { startPrivateRedis } from './private-redis.js';
import { webAppDirectory } from '@slipway/web';

const USAGE = 'usage: slipway start [--port N] [--data DIR] [--host ADDRESS]';

/**
 * `slipway start`: the whole of Slipway on this machine, in this one process — the API, an
 * orchestrator worker and the local cloud — on an embedded database unless DATABASE_URL
 * says otherwise. Data lives under --data and survives restarts.
 */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const env = environment();
  const dataDir = resolve(values.data ?? env.SLIPWAY_DATA_DIR ?? '.slipway');
  const port = values.port ?? env.PORT ?? '8080';
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    console.error(`slipway start: --port takes a port number, not "${port}"\n${USAGE}`);
    return 3;
  }
  const logger = pino(
    { level: env.LOG_LEVEL ?? 'info' },
    pino.destination({ dest: join(dataDir, 'slipway.log'), mkdir: true, sync: false }),
  );
  const say = (line: string) => process.stderr.write(`${line}\n`);

  const redis = env.REDIS_URL
    ? { url: env.REDIS_URL, stop: async () => undefined }
    : await startPrivateRedis(dataDir);
  const publicUrl =
    env.SLIPWAY_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const web = webAppDirectory();
  const shared = {
    SLIPWAY_WEB_DIR: web,
    ...env,
    SLIPWAY_DATA_DIR: dataDir,
    REDIS_URL: redis.url,
    SLIPWAY_PUBLIC_URL: publicUrl,
    PORT: port,
    HOST: host,
  };
  const database = await connectDatabase(
    env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dataDir, 'db') },
  );
  say(
    `database: ${env.DATABASE_URL ? 'PostgreSQL from DATABASE_URL' : `embedded, in ${join(dataDir, 'db')}`}`,
  );

  const orchestrator = await startOrchestrator({
    config: loadOrchestratorConfig(shared),
    db: database.db,
    logger,
  });
  if (orchestrator.localLimitation) say(`local cloud: ${orchestrator.localLimitation}`);
  const apiConfig = loadApiConfig(shared);
  const api = await startApi({
    config: apiConfig,
    db: database.db,
    logger,
    extraHosts: orchestrator.localLimitation ? [] : [BRIDGE_ADDRESS],
  });
  const seeded = await seedContent(database.db, apiConfig.adminEmail);
  if (seeded.length > 0)
    say(`shipped modules written: ${seeded.length} (Public/BaseImages, Public/Tutorials)`);

  // The first start's administrator password is kept beside the data, readable by its owner only.
  const adminFile = join(dataDir, 'admin-password');
  if (api.admin) {
    await writeFile(adminFile, `${api.admin.password}\n`, { mode: 0o600 });
    await chmod(adminFile, 0o600);
  }
  const password = (await readFile(adminFile, 'utf8').catch(() => '(see the first start)')).trim();
  const admin = await createAdminToken(
    database.db,
    apiConfig.adminEmail,
    `slipway start ${new Date().toISOString()}`,
  );
  // The CLI is set up for this server, unless it is already set up for another one.
  const existing = await readCliConfig().catch(() => null);
  if (admin && (!existing || existing.url === api.url)) {
    await writeCliConfig({ url: api.url, token: admin.token, email: admin.email });
  } else if (existing) {
    say(
      `the slipway command stays set up for ${existing.url}; SLIPWAY_URL=${api.url} overrides it`,
    );
  }

  say('');
  say(`Slipway is running at ${api.url}`);
  say(`  log in as ${apiConfig.adminEmail} with password ${password}`);
  say(
    existsSync(join(web, 'index.html'))
      ? `  open ${api.url} in a browser, or use the slipway command:`
      : `  web app not built (pnpm --filter @slipway/web build); the slipway command works:`,
  );
  say(`    pnpm slipway run Public/Tutorials/HelloWorld/client_server --wait`);
  say(`  logs: ${join(dataDir, 'slipway.log')}   stop: Ctrl-C`);

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  say('stopping: runs in progress go back to the queue and carry on at the next start');
  await orchestrator.stop();
  await api.stop();
  await database.close();
  await redis.stop();
  logger.flush();
  return 0;
}
