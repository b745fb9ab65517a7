// The WASM side of the benchmark: `window.statelabBench(name, reps, minMs)` runs one workload
// `reps` times (more while the runs after the first add up to less than `minMs`), timing each
// execution in the page with performance.now(). The first run is the cold one: bench/bench.mjs
// opens a fresh page for each cold sample.
import init, { BenchRun } from './pkg/statelab_wasm.js';

const MAX_REPS = 100000;
const wasm = await init({ module_or_path: new URL('./pkg/statelab_wasm_bg.wasm', import.meta.url) });

async function text(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.text();
}

window.statelabBench = async (name, reps, minMs) => {
  const [def, input, stubs] = await Promise.all(['asl', 'input', 'stubs'].map((s) => text(`workloads/${name}.${s}.json`)));
  const b = new BenchRun(def, input, stubs);
  const execMs = [];
  let warm = 0;
  let status = null;
  while (execMs.length < reps || (warm < minMs && execMs.length < MAX_REPS)) {
    b.clear();
    const t0 = performance.now();
    status = b.run();
    const ms = performance.now() - t0;
    if (execMs.length > 0) warm += ms;
    execMs.push(ms);
  }
  const out = { exec_ms: execMs, status, states_entered: b.statesEntered(), output: b.output() ?? null,
    memory_bytes: wasm.memory.buffer.byteLength };
  b.free();
  return out;
};
