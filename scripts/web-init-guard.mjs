// Patches wasm-bindgen's `--target web` output (the JS package's web/statelab.js) so that a call
// made before init() or initSync() throws a StatelabError with code NOT_INITIALIZED that says what
// to do, instead of "Cannot read properties of undefined" from deep inside the glue.
//
// The glue keeps its instance's exports in `let ... wasm;` and tests `wasm !== undefined` to know
// whether it has been initialised. Until then `wasm` is a guard object instead, and those tests
// compare with the guard. The patch fails loudly when the glue no longer has that shape (a new
// wasm-bindgen), rather than shipping a build that it did not patch.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let js = readFileSync(file, 'utf8');

const declaration = 'let wasmModule, wasmInstance, wasm;';
const initialised = 'if (wasm !== undefined) return wasm;';
if (!js.includes(declaration) || js.split(initialised).length !== 3) {
  console.error(`[web-init-guard] ${file}: wasm-bindgen's glue has changed shape; update scripts/web-init-guard.mjs`);
  process.exit(1);
}

const guard = `const NOT_INITIALIZED = new Proxy({}, {
    get() {
        const e = new Error("statelab's web build is not initialised: call \`await init()\` (or \`initSync({ module: bytes })\`) before using it");
        e.name = 'StatelabError';
        e.code = 'NOT_INITIALIZED';
        throw e;
    },
});
let wasmModule, wasmInstance, wasm = NOT_INITIALIZED;`;

js = js.replace(declaration, guard).replaceAll(initialised, 'if (wasm !== NOT_INITIALIZED) return wasm;');
writeFileSync(file, js);
