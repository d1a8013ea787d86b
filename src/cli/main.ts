#!/usr/bin/env node
/**
 * The `streamwright` binary: wires the process (argv, stdio, env, signals) to runCli().
 * The first SIGINT/SIGTERM asks the running command to stop cleanly; a second one exits at once.
 */
import { runCli } from './cli-runner.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals++;
  if (signals > 1) {
    process.stderr.write(`Received ${name} again; exiting without cleanup.\n`);
    process.exit(130);
  }
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A reader that went away (`streamwright consume t | head`) ends the command quietly, like other CLIs.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') controller.abort();
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});

// Exit once stdout has been handed to the OS; clients (kafkajs sockets, stdin) may otherwise keep the loop alive.
process.stdout.write('', () => process.exit(code));
