#!/usr/bin/env node
// Runs one benchmark workload on the peer, aws-local-stepfunctions (the other ASL interpreter that
// runs in a browser), and prints one JSON line. `bench/bench.mjs` starts it in fresh processes,
// under `/usr/bin/time -v`, with the Node 22 that `scripts/bench.sh` installs next to the peer in
// target/bench-peer/ (the package needs Node >= 22).
//
// What is timed is what `statelab run --bench-reps` times on our side: the execution alone
// (`sm.run()` until its result and its whole event log are in), not process start, reading the
// files or building the StateMachine (which validates the definition, like our compile step).
// Task states answer with the workload's `<name>.mock.json` `allTasksReturn` through local
// handlers; Wait states are overridden to 0 ms.
//
// Usage: node bench/peer.mjs --peer-dir target/bench-peer --workload loop [--reps 1] [--min-ms 0]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const MAX_REPS = 500;

function parseArgs(argv) {
  const a = { peerDir: join(here, '../target/bench-peer'), workload: null, reps: 1, minMs: 0, dir: join(here, 'workloads') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--peer-dir') a.peerDir = v();
    else if (k === '--workload') a.workload = v();
    else if (k === '--reps') a.reps = Number(v());
    else if (k === '--min-ms') a.minMs = Number(v());
    else if (k === '--dir') a.dir = v();
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.workload) throw new Error('--workload is required');
  return a;
}

/** JSON with sorted keys, so that both interpreters' outputs hash alike when they are equal. */
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
export const outputSha = (v) => createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);

/** State names of one type, inside Parallel branches and Map processors too. */
function statesOfType(def, type, acc = []) {
  for (const [name, st] of Object.entries(def.States ?? {})) {
    if (st.Type === type) acc.push(name);
    for (const b of st.Branches ?? []) statesOfType(b, type, acc);
    if (st.ItemProcessor) statesOfType(st.ItemProcessor, type, acc);
    if (st.Iterator) statesOfType(st.Iterator, type, acc);
  }
  return acc;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pkgDir = join(args.peerDir, 'node_modules/aws-local-stepfunctions');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const { StateMachine } = await import(pathToFileURL(join(pkgDir, pkg.exports.import)).href);

  const read = (suffix) => JSON.parse(readFileSync(join(args.dir, `${args.workload}.${suffix}.json`), 'utf8'));
  const def = read('asl');
  const input = read('input');
  const mock = existsSync(join(args.dir, `${args.workload}.mock.json`)) ? read('mock').allTasksReturn : {};
  const taskResourceLocalHandlers = Object.fromEntries(statesOfType(def, 'Task').map((t) => [t, () => mock]));
  const waitTimeOverrides = Object.fromEntries(statesOfType(def, 'Wait').map((w) => [w, 0]));

  const t0 = performance.now();
  const sm = new StateMachine(def); // validates the definition (paths and ARNs), as it does by default
  const constructMs = performance.now() - t0;

  const execMs = [];
  let entered = 0;
  let output;
  const warmMs = () => execMs.slice(1).reduce((x, y) => x + y, 0);
  while (execMs.length < args.reps || (warmMs() < args.minMs && execMs.length < MAX_REPS)) {
    const t = performance.now();
    const exec = sm.run(input, { overrides: { taskResourceLocalHandlers, waitTimeOverrides } });
    let n = 0;
    const drain = (async () => {
      for await (const ev of exec.eventLogs) if (ev.type === 'StateEntered') n++;
    })();
    output = await exec.result;
    await drain;
    execMs.push(performance.now() - t);
    entered = n;
  }
  process.stdout.write(`${JSON.stringify({
    peer: `aws-local-stepfunctions ${pkg.version}`, node: process.version, construct_ms: constructMs,
    exec_ms: execMs, state_entered_events: entered, output_sha: outputSha(output),
  })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
