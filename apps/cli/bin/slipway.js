#!/usr/bin/env node
// Runs the CLI from its TypeScript source (as the rest of the monorepo is consumed), so
// `pnpm slipway …` works in a clone without a build.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
