// Build the web UI into OUT (default ./dist): app.js bundled by esbuild from
// src/main.js (Preact, htm, Chart.js), app.css and index.html copied.
// Usage: node build.mjs [OUT]
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, 'dist'));
await mkdir(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome90', 'firefox90', 'safari14'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
await copyFile(join(here, 'src/app.css'), join(out, 'app.css'));
// index.html: no inline script (CSP default-src 'self').
const page = await readFile(join(here, 'src/index.html'), 'utf8');
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(page)) throw new Error('index.html: inline <script> is not allowed (CSP)');
await writeFile(join(out, 'index.html'), page);
console.log(`seklik-web: built into ${out}`);
