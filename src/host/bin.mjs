#!/usr/bin/env node
// The `hearth` command. It runs the built headless host, so that the CLI is exactly the code
// that ships; build it once with `npm run build`.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`hearth: Node.js 22 or newer is needed (this is ${process.version}).`);
  process.exit(1);
}
const entry = new URL('../../out/main/hearth.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('hearth: Hearth is not built yet; run `npm run build` in the project folder first.');
  process.exit(1);
}
await import(entry.href);
