#!/usr/bin/env node
// The flowc command. The sources are TypeScript; tsx compiles them in memory on first load,
// so a fresh clone needs `npm install` and nothing else.
import { register } from 'tsx/esm/api';

register();
// `flowc explain x.flow | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../cli/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
