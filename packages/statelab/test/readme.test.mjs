// Runs every ```js block of the package's README.md, so that its examples cannot rot: each block
// is written to test/.readme/ (inside the package, so that `import ... from 'statelab'` resolves
// to this package as it would in a project that installed it) and imported; the tests it
// declares run with the others.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
if (!blocks.some((code) => /\btest\(/.test(code))) {
  throw new Error('README.md has no ```js block that declares a test');
}
const dir = new URL('./.readme/', import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (const [i, code] of blocks.entries()) {
  const file = new URL(`block-${i + 1}.mjs`, dir);
  writeFileSync(file, code);
  await import(file);
}
