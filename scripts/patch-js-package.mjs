// Patches wasm-bindgen's output in the JS package (scripts/build-js-package.sh runs it on
// packages/statelab after wasm-bindgen):
//
// 1. The web build (web/statelab.js): a call made before init() or initSync() throws a
//    StatelabError with code NOT_INITIALIZED that says what to do, instead of "Cannot read
//    properties of undefined" from deep inside the glue.
// 2. In both builds `free()` a second time does nothing (wasm-bindgen's threw "null pointer passed
//    to rust"), so that `using e = new Execution(...)` followed by an explicit `e.free()` does not
//    throw when the scope ends: disposers are expected to be idempotent.
// 3. Both builds' statelab.d.ts declare `[Symbol.dispose]`, which TypeScript knows only from its
//    esnext.disposable library: a project compiling with `lib: ["es2022"]` got error TS2550 from
//    inside the package. The declarations now reference that library themselves.
//
// The web glue keeps its instance's exports in `let ... wasm;` and tests `wasm !== undefined` to know
// whether it has been initialised. Until then `wasm` is a guard object instead, and those tests
// compare with the guard. The patch fails loudly when the glue no longer has that shape (a new
// wasm-bindgen), rather than shipping a build that it did not patch.
import { readFileSync, writeFileSync } from 'node:fs';

const pkg = process.argv[2];

/** Stops the build when `text` does not hold `needle` exactly `times` times. */
function expectShape(file, text, needle, times, what) {
  if (text.split(needle).length !== times + 1) {
    console.error(`[patch-js-package] ${file}: ${what} has changed shape; update scripts/patch-js-package.mjs`);
    process.exit(1);
  }
}

const declaration = 'let wasmModule, wasmInstance, wasm;';
const initialised = 'if (wasm !== undefined) return wasm;';
const guard = `const NOT_INITIALIZED = new Proxy({}, {
    get() {
        const e = new Error("statelab's web build is not initialised: call \`await init()\` (or \`initSync({ module: bytes })\`) before using it");
        e.name = 'StatelabError';
        e.code = 'NOT_INITIALIZED';
        throw e;
    },
});
let wasmModule, wasmInstance, wasm = NOT_INITIALIZED;`;
const free = `    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_execution_free(ptr, 0);`;

for (const build of ['node', 'web']) {
  const file = `${pkg}/${build}/statelab.js`;
  let js = readFileSync(file, 'utf8');
  expectShape(file, js, free, 1, 'Execution.free');
  js = js.replace(free, free.replace('wasm.__wbg', 'if (ptr === 0) return;\n        wasm.__wbg'));
  if (build === 'web') {
    expectShape(file, js, declaration, 1, "wasm-bindgen's glue");
    expectShape(file, js, initialised, 2, "wasm-bindgen's glue");
    js = js.replace(declaration, guard).replaceAll(initialised, 'if (wasm !== NOT_INITIALIZED) return wasm;');
  }
  writeFileSync(file, js);
}

for (const build of ['node', 'web']) {
  const types = `${pkg}/${build}/statelab.d.ts`;
  const text = readFileSync(types, 'utf8');
  if (text.includes('[Symbol.dispose]')) {
    writeFileSync(types, `/// <reference lib="esnext.disposable" />\n${text}`);
  }
}
