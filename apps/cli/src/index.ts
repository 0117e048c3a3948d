export { main } from './main.js';
export { runCli } from './run-cli.js';
export { CliConfig, readCliConfig, writeCliConfig } from './cli-config.js';
export { EXIT } from './cli-error.js';
export type { CliIo } from './cli-io.js';
