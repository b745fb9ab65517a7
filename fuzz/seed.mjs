// Writes the fuzz targets' seed corpora to fuzz/corpus/<target>/ from the example gallery and the
// data-driven test cases (www/examples, tests/cases/**), so that no corpus is committed.
// `scripts/fuzz.sh` runs it; it is safe to run again (a seed is named after its content, and
// what the fuzzer added to a corpus is kept).
//
//   node fuzz/seed.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, 'fuzz', 'corpus');
const counts = {};

function seed(target, content) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const dir = join(corpus, target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha1').update(bytes).digest('hex');
  writeFileSync(join(dir, name), bytes);
  counts[target] = (counts[target] ?? 0) + 1;
}

function files(dir, pattern = /./) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(e)) out.push(p);
    }
  };
  walk(join(root, dir));
  return out;
}

function json(p) {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
}

const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
const asList = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

// A test file's cases, each with the definition: {definition, input, stubs}.
function cases(file) {
  const out = [];
  if (!file || typeof file !== 'object' || file.definition === undefined) return out;
  const list = Array.isArray(file.cases) ? file.cases : [file];
  for (const c of list) {
    out.push({ definition: file.definition, input: c.input ?? {}, stubs: c.stubs ?? {} });
  }
  return out;
}

const execFiles = [...files('www/examples', /\.json$/), ...files('tests/cases/exec', /\.json$/)];

// check: every definition, as JSON (compact and indented) and every YAML document as written.
for (const p of execFiles) {
  const f = json(p);
  if (f?.definition && typeof f.definition === 'object') {
    seed('check', JSON.stringify(f.definition, null, 2));
  }
}
for (const p of files('tests/cases/validate', /\.json$/)) {
  const f = json(p);
  if (f?.definition !== undefined) seed('check', text(f.definition));
}
for (const p of [...files('tests/cases/documents'), ...files('tests/cases/cli'), ...files('www/examples', /\.ya?ml$/)]) {
  if (/\.(ya?ml|json)$/.test(p)) seed('check', readFileSync(p));
}
for (const s of ['', '{}', '[]', 'StartAt: A\nStates: {A: {Type: Pass, End: true}}\n', '&a [*a, *a]', '{"a":'.repeat(50)]) {
  seed('check', s);
}

// jsonpath: "path\ndocument".
for (const p of files('tests/cases/jsonpath', /\.json$/)) {
  for (const c of asList(json(p))) {
    if (typeof c?.path === 'string') seed('jsonpath', `${c.path}\n${JSON.stringify(c.doc ?? {})}`);
  }
}

// intrinsics: "call\ninput".
for (const p of files('tests/cases/intrinsics', /\.json$/)) {
  for (const c of asList(json(p))) {
    if (typeof c?.call === 'string') seed('intrinsics', `${c.call}\n${JSON.stringify(c.input ?? {})}`);
  }
}
// ... and every intrinsic call written in a definition.
for (const p of execFiles) {
  const walk = (v) => {
    if (typeof v === 'string' && v.startsWith('States.')) seed('intrinsics', `${v}\n{"a":[1,2,3],"s":"x,y"}`);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(json(p)?.definition);
}

// jsonata: "expression\ninput", from the JSONata suite (with its datasets) and every `{% %}`
// in a definition.
const datasets = {};
for (const p of files('tests/cases/jsonata/datasets', /\.json$/)) {
  datasets[p.split('/').pop().replace(/\.json$/, '')] = readFileSync(p, 'utf8');
}
for (const p of files('tests/cases/jsonata', /\.json$/)) {
  if (p.includes('/datasets/')) continue;
  for (const c of asList(json(p))) {
    if (typeof c?.expr !== 'string') continue;
    const input = c.dataset ? datasets[c.dataset] ?? 'null' : JSON.stringify(c.data ?? null);
    seed('jsonata', `${c.expr.replaceAll('\n', ' ')}\n${input}`);
  }
}
for (const p of execFiles) {
  const walk = (v) => {
    if (typeof v === 'string' && v.startsWith('{%') && v.endsWith('%}')) seed('jsonata', `${v.slice(2, -2).replaceAll('\n', ' ')}\n{"a":[1,2,3]}`);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(json(p)?.definition);
}

// stubs: every stub file and MockConfigFile.
for (const p of execFiles) {
  for (const c of cases(json(p))) {
    if (c.stubs && Object.keys(c.stubs).length) seed('stubs', JSON.stringify(c.stubs, null, 1));
  }
}
for (const p of files('tests/cases/cli', /stubs|mock/)) seed('stubs', readFileSync(p));

// execute: mode 2 (a test file as text) from every example and case; mode 1 (an example,
// mutated) and mode 0 (generated) from a few fixed byte strings.
for (const p of execFiles) {
  for (const c of cases(json(p))) seed('execute', Buffer.concat([Buffer.from([2]), Buffer.from(JSON.stringify(c))]));
}
for (let i = 0; i < 32; i++) {
  const bytes = createHash('sha256').update(`seed ${i}`).digest();
  seed('execute', Buffer.concat([Buffer.from([1]), bytes]));
  seed('execute', Buffer.concat([Buffer.from([0]), bytes, createHash('sha256').update(`more ${i}`).digest()]));
}

// share: mode 0 (link text) and mode 1 (a payload, packed by the target) for each example.
for (const p of files('www/examples', /\.json$/)) {
  for (const c of cases(json(p))) {
    const payload = JSON.stringify({
      v: 1,
      definition: JSON.stringify(c.definition, null, 2),
      input: JSON.stringify(c.input),
      stubs: JSON.stringify(c.stubs),
      options: { seed: 3, max_steps: 100, workflow_type: 'EXPRESS', start_time: '2026-01-01T00:00:00Z' },
      breakpoints: ['A'],
    });
    const link = `http://127.0.0.1:8080/#s=1.${deflateRawSync(payload).toString('base64url')}`;
    seed('share', Buffer.concat([Buffer.from([0]), Buffer.from(link)]));
    seed('share', Buffer.concat([Buffer.from([0]), Buffer.from(link.slice(0, link.length >> 1))]));
    seed('share', Buffer.concat([Buffer.from([1]), Buffer.from(payload)]));
  }
}
for (const s of ['#s=', '#s=1.', '#s=2.AAAA', 's=1.!!!!', 'x&s=1.AAAA&y', '1.']) seed('share', Buffer.concat([Buffer.from([0]), Buffer.from(s)]));

for (const [t, n] of Object.entries(counts)) console.log(`seeded ${t}: ${n} files`);
