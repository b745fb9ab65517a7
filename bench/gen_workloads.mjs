#!/usr/bin/env node
// (Copied into Statelab with the workloads it wrote, so the benchmark needs nothing outside the
// repository; bench/workloads/manifest.json gives the states each one enters.)
// Generates the peer-benchmark workloads (ASL definitions + inputs) into ./workloads/.
// Deterministic: no randomness, so regenerating yields byte-identical files.
// Usage: node gen_workloads.mjs [outDir]
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, 'workloads');
mkdirSync(outDir, { recursive: true });

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:BenchMock';
const pad = (n, w = 4) => String(n).padStart(w, '0');

const manifest = {};
function write(name, def, input, extra = {}, expectedTransitions) {
  manifest[name] = { expectedTransitions, description: def.Comment };
  writeFileSync(join(outDir, `${name}.asl.json`), JSON.stringify(def, null, 2) + '\n');
  writeFileSync(join(outDir, `${name}.input.json`), JSON.stringify(input) + '\n');
  for (const [suffix, value] of Object.entries(extra)) {
    writeFileSync(join(outDir, `${name}.${suffix}.json`), JSON.stringify(value, null, 2) + '\n');
  }
}

// a. loop: Pass(Parameters + States.MathAdd) / Choice(NumericLessThan) counter loop, N iterations.
//    States entered = 2N + 1 (N x Inc, N x Check, 1 x Done).
{
  const N = 5000; // 4 history events per iteration: stays under AWS's 25,000-event limit
  write('loop', {
    Comment: `Pass/Choice counter loop, N=${N}`,
    StartAt: 'Inc',
    States: {
      Inc: {
        Type: 'Pass',
        Parameters: { 'i.$': 'States.MathAdd($.i, 1)', 'tag.$': '$.tag' },
        Next: 'Check',
      },
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.i', NumericLessThan: N, Next: 'Inc' }],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  }, { i: 0, tag: 'loop' }, {}, 2 * N + 1);
}

// b. map: inline Map over 1,000 items, 3 Pass states per iteration with Parameters/ResultPath.
//    States entered = 1 (Map) + 3 x 1000 + 1 (Done).
{
  const M = 1000;
  const items = Array.from({ length: M }, (_, k) => ({
    id: k, name: `item-${pad(k)}`, price: Math.round(k * 137) / 100, qty: (k % 7) + 1, tags: ['a', `t${k % 5}`],
  }));
  write('map', {
    Comment: `Inline Map over ${M} items, 3 Pass states per item`,
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Pick',
          States: {
            Pick: {
              Type: 'Pass',
              Parameters: { 'id.$': '$.id', 'qty.$': '$.qty', 'price.$': '$.price', 'firstTag.$': '$.tags[0]' },
              ResultPath: '$.picked',
              Next: 'Calc',
            },
            Calc: {
              Type: 'Pass',
              Parameters: { 'qtyPlusId.$': 'States.MathAdd($.picked.qty, $.picked.id)', 'label.$': "States.Format('{}#{}', $.name, $.picked.id)" },
              ResultPath: '$.calc',
              Next: 'Shape',
            },
            Shape: {
              Type: 'Pass',
              Parameters: { 'id.$': '$.id', 'label.$': '$.calc.label', 'n.$': '$.calc.qtyPlusId', 'src': 'bench' },
              ResultPath: '$.out',
              OutputPath: '$.out',
              End: true,
            },
          },
        },
        ResultPath: '$.results',
        Next: 'Done',
      },
      Done: { Type: 'Pass', Parameters: { 'count.$': 'States.ArrayLength($.results)' }, End: true },
    },
  }, { items }, {}, 1 + 3 * M + 1);
}

// c. parallel: 10 branches x 20 Pass states. States entered = 1 + 200 + 1 (Done).
{
  const B = 10, S = 20;
  const branches = Array.from({ length: B }, (_, b) => {
    const states = {};
    for (let s = 0; s < S; s++) {
      const name = `B${b}_S${pad(s, 2)}`;
      states[name] = {
        Type: 'Pass',
        Result: { branch: b, step: s },
        ResultPath: '$.cur',
        ...(s + 1 < S ? { Next: `B${b}_S${pad(s + 1, 2)}` } : { End: true }),
      };
    }
    return { StartAt: `B${b}_S00`, States: states };
  });
  write('parallel', {
    Comment: `Parallel with ${B} branches x ${S} Pass states`,
    StartAt: 'Par',
    States: {
      Par: { Type: 'Parallel', Branches: branches, ResultPath: '$.branches', Next: 'Done' },
      Done: { Type: 'Pass', Parameters: { 'n.$': 'States.ArrayLength($.branches)' }, End: true },
    },
  }, { seed: 1, note: 'parallel' }, {}, 1 + B * S + 1);
}

// d. tasks: chain of 1,000 Task states, all mocked to return the same fixed JSON object.
//    Each task has Parameters + ResultSelector + ResultPath + OutputPath. Even/odd tasks alternate
//    ResultPath/OutputPath so that the state shape is stable and OutputPath is non-trivial:
//      even: ResultPath $.env.last, OutputPath $.env  ({.., env:{value,id,seq}} -> {value,id,seq,last})
//      odd:  ResultPath $.env,      OutputPath $      ({value,id,seq,last} -> {.., env:{value,id,seq}})
//    States entered = 1000.
{
  const T = 1000;
  const states = {};
  for (let t = 0; t < T; t++) {
    const even = t % 2 === 0;
    states[`T${pad(t)}`] = {
      Type: 'Task',
      Resource: LAMBDA_ARN,
      Parameters: { 'id.$': '$.id', seq: t },
      ResultSelector: { 'value.$': '$.body.value', 'id.$': '$.body.id', seq: t },
      ResultPath: even ? '$.env.last' : '$.env',
      OutputPath: even ? '$.env' : '$',
      ...(t + 1 < T ? { Next: `T${pad(t + 1)}` } : { End: true }),
    };
  }
  const mockResult = {
    statusCode: 200,
    body: { id: 'abc-123', value: 42, tags: ['x', 'y'], nested: { a: 1, b: [1, 2, 3] } },
    headers: { 'content-type': 'application/json' },
  };
  write('tasks', { Comment: `Chain of ${T} mocked Task states`, StartAt: 'T0000', States: states },
    { value: 0, id: 'init', seq: -1, env: { value: 0, id: 'init', seq: -1 } },
    { mock: { allTasksReturn: mockResult } }, T);
}

// e. choice-heavy: Inc (Pass) -> Classify (Choice, 50 rules, nested And/Or/Not, string+number
//    comparisons), looped 1,000 times. Rule k (k<49) matches only when 20k <= i < 20k+20, and its
//    string/number Or-block is evaluated before its numeric range check, so on average ~25 rules
//    x ~5 comparisons are evaluated per Choice. Rule 49: i < 1000 -> Inc; Default -> Done.
//    States entered = 1000 x 2 + 1.
{
  const L = 1000, R = 50;
  const choices = [];
  for (let k = 0; k < R - 1; k++) {
    choices.push({
      And: [
        {
          Or: [
            { Variable: '$.user.tier', StringEquals: 'platinum' },
            {
              And: [
                { Variable: '$.user.name', StringMatches: 'al*' },
                { Variable: '$.score', NumericGreaterThan: k % 10 },
                { Not: { Variable: '$.region', StringLessThan: 'aa' } },
              ],
            },
          ],
        },
        { Variable: '$.i', NumericGreaterThanEquals: 20 * k },
        { Variable: '$.i', NumericLessThan: 20 * k + 20 },
      ],
      Next: 'Inc',
    });
  }
  choices.push({
    Or: [
      { Variable: '$.user.age', NumericLessThan: 0 },
      { And: [{ Variable: '$.user.name', StringGreaterThanEquals: 'a' }, { Variable: '$.i', NumericLessThan: L }] },
    ],
    Next: 'Inc',
  });
  write('choice', {
    Comment: `Choice with ${R} nested And/Or/Not rules, looped ${L} times`,
    StartAt: 'Inc',
    States: {
      Inc: {
        Type: 'Pass',
        Parameters: { 'i.$': 'States.MathAdd($.i, 1)', 'user.$': '$.user', 'score.$': '$.score', 'region.$': '$.region' },
        Next: 'Classify',
      },
      Classify: { Type: 'Choice', Choices: choices, Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  }, { i: 0, user: { name: 'alice', tier: 'gold', age: 34 }, score: 17.5, region: 'eu-west-1' }, {}, 2 * L + 1);
}

// f. data: ~200 KiB JSON payload carried through 100 Pass states with InputPath/Parameters/ResultPath.
//    Three state variants in rotation (full re-shape of the payload, small projection of meta,
//    array-index projection). States entered = 100.
//    Note: kept below LocalStack's 256 KiB state-size quota (it measures non-compact json.dumps).
{
  const S = 100, RECORDS = 1300;
  const records = Array.from({ length: RECORDS }, (_, k) => ({
    id: k,
    name: `record-${pad(k, 5)}`,
    email: `user${k}@example.com`,
    score: (k * 7919) % 1000 / 10,
    active: k % 3 !== 0,
    city: ['Lisbon', 'Berlin', 'Osaka', 'Lima', 'Accra'][k % 5],
    note: 'lorem ipsum dolor sit amet consectetur '.repeat(1) + k,
  }));
  const input = { payload: { records, meta: { owner: 'bench', count: RECORDS, version: 1 } } };
  const states = {};
  for (let s = 0; s < S; s++) {
    const name = `D${pad(s, 3)}`;
    const next = s + 1 < S ? { Next: `D${pad(s + 1, 3)}` } : { End: true };
    const v = s % 3;
    if (v === 0) {
      states[name] = { Type: 'Pass', InputPath: '$.payload',
        Parameters: { 'records.$': '$.records', 'meta.$': '$.meta', step: s }, ResultPath: '$.payload', ...next };
    } else if (v === 1) {
      states[name] = { Type: 'Pass', InputPath: '$.payload.meta',
        Parameters: { 'owner.$': '$.owner', 'count.$': '$.count', step: s }, ResultPath: '$.info', ...next };
    } else {
      states[name] = { Type: 'Pass', InputPath: '$.payload.records[7]',
        Parameters: { 'id.$': '$.id', 'name.$': '$.name', 'city.$': '$.city', step: s }, ResultPath: '$.head', ...next };
    }
  }
  write('data', { Comment: `~200 KiB payload through ${S} Pass states`, StartAt: 'D000', States: states }, input, {}, S);
  const compact = JSON.stringify(input).length;
  const spaced = JSON.stringify(input).replace(/,/g, ', ').replace(/":/g, '": ').length;
  console.error(`data payload: ${compact} bytes compact (~${(compact / 1024).toFixed(1)} KiB), ~${spaced} bytes with python default separators`);
}
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.error(`wrote workloads to ${outDir}`);
