// The package as a whole: the web build (loaded in Node with its wasm bytes), which build each
// kind of import resolves to, what `npm pack` would ship, and the TypeScript declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const wasm = readFileSync(new URL('../web/statelab_bg.wasm', import.meta.url));
const hello = JSON.parse(readFileSync(new URL('../../../www/examples/hello-world.json', import.meta.url), 'utf8'));

function runHello(statelab) {
  const report = statelab.run(hello.definition, hello.input, { stubs: hello.stubs });
  assert.equal(report.status, hello.expect.status);
  assert.deepEqual(report.output, hello.expect.output);
}

test('the web build runs after initSync with the wasm bytes', async () => {
  const web = await import('../web/statelab.js');
  web.initSync({ module: wasm });
  runHello(web);
  const x = new web.Execution(hello.definition, hello.input, { stubs: hello.stubs });
  assert.equal(x.runTo('HelloWorld'), true);
  assert.equal(x.inspect().state, 'HelloWorld');
});

test('the web build runs after the async init', async () => {
  // Another URL is another module instance, not yet initialised.
  const web = await import('../web/statelab.js?async-init');
  // Used before init(): a StatelabError that says what to do (it was a bare TypeError).
  assert.throws(() => web.validate('{}'), (e) => {
    assert.equal(e.name, 'StatelabError');
    assert.equal(e.code, 'NOT_INITIALIZED');
    assert.match(e.message, /call `await init\(\)`/);
    return true;
  });
  assert.throws(() => new web.Execution(hello.definition), { code: 'NOT_INITIALIZED' });
  await web.default({ module_or_path: wasm });
  runHello(web);
});

test('Node gets the node build; the browser condition gets the web build', () => {
  const exportsOf = (...flags) =>
    execFileSync(process.execPath, [...flags, '--input-type=module', '-e',
      "import * as s from 'statelab'; console.log(Object.keys(s).sort().join(' '))"], { cwd: pkg, encoding: 'utf8' }).trim();
  assert.equal(exportsOf(), 'Execution default run validate');
  assert.equal(exportsOf('--conditions=browser'), 'Execution default initSync run validate');
});

test('require("statelab") works, as Jest loads it', () => {
  const statelab = createRequire(import.meta.url)('statelab');
  runHello(statelab);
});

test('npm pack ships both builds, their types and the README', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkg, encoding: 'utf8' });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  for (const f of ['README.md', 'package.json', 'node/package.json', 'node/statelab.js', 'node/statelab.d.ts',
    'node/statelab_bg.wasm', 'web/package.json', 'web/statelab.js', 'web/statelab.d.ts', 'web/statelab_bg.wasm']) {
    assert.ok(files.includes(f), `${f} is not in the package: ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/')), 'the tests are not shipped');
});

test('the TypeScript declarations are precise (tsc --strict on test/types/)', (t) => {
  const tsc = `${root}/node_modules/.bin/tsc`;
  if (!existsSync(tsc)) {
    t.skip('TypeScript is not installed: run scripts/setup.sh');
    return;
  }
  const r = spawnSync(tsc, ['-p', 'test/types/tsconfig.json'], { cwd: pkg, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc found problems:\n${r.stdout}${r.stderr}`);
  // A project whose lib stops at es2022 (no esnext.disposable, where Symbol.dispose is declared):
  // the declarations bring that library themselves (they failed with TS2550 before).
  const old = spawnSync(tsc, ['-p', 'test/types/tsconfig.es2022.json'], { cwd: pkg, encoding: 'utf8' });
  assert.equal(old.status, 0, `tsc with lib es2022 found problems:\n${old.stdout}${old.stderr}`);
});
