/**
 * Renders every icon the installers need from the one source image, resources/icon.svg.
 * Run after changing the source: `npx tsx build/make-icons.ts`. The outputs are committed
 * because CI machines should not need a renderer to package the app.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';
import { LINUX_ICON_SIZES } from './icon-sizes';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'resources/icon.svg'));


function renderPng(size: number): Buffer {
  return new Resvg(source, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

function write(path: string, data: Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
  console.log(`${path}  ${data.length} bytes`);
}

const master = renderPng(1024);
write('build/icon.png', master);
// The window and tray icon the running app loads from resources/.
write('resources/icon.png', renderPng(512));
for (const size of LINUX_ICON_SIZES) write(`build/icons/${size}x${size}.png`, renderPng(size));

const icns = png2icons.createICNS(master, png2icons.BICUBIC, 0);
const ico = png2icons.createICO(master, png2icons.BICUBIC, 0, true, true);
if (!icns || !ico) throw new Error('png2icons could not convert build/icon.png');
write('build/icon.icns', icns);
write('build/icon.ico', ico);
