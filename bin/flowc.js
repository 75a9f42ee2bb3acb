#!/usr/bin/env node
// The flowc command. The sources are TypeScript; tsx compiles them in memory on first load,
// so a fresh clone needs `npm install` and nothing else.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
