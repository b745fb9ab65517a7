// Every shared example in www/examples/ (the playground's gallery, which `statelab test` also
// runs) through the built package: `run` must meet the example's `expect`, and stepping an
// `Execution` to the end must give the very same report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { run, Execution } from 'statelab';

const dir = new URL('../../../www/examples/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// The test-file fields (as `statelab test` reads them) and the RunOptions they become.
const OPTIONS = {
  stubs: 'stubs',
  start_time: 'startTime',
  seed: 'seed',
  type: 'type',
  region: 'region',
  max_steps: 'maxSteps',
  state_machine: 'stateMachine',
  mock_test_case: 'mockTestCase',
};

function optionsOf(...layers) {
  const options = {};
  for (const layer of layers) {
    for (const [field, option] of Object.entries(OPTIONS)) {
      if (layer[field] !== undefined) options[option] = layer[field];
    }
  }
  return options;
}

function definitionOf(example) {
  // Inline ASL, or the path of a file relative to the example.
  return typeof example.definition === 'string'
    ? readFileSync(new URL(example.definition, dir), 'utf8')
    : example.definition;
}

function check(report, expect) {
  const fields = {
    status: report.status,
    output: report.output,
    error: report.error,
    cause: report.cause,
    states: report.states_entered,
    virtual_seconds: report.virtual_seconds,
    billable_transitions: report.billable_transitions,
  };
  for (const [field, expected] of Object.entries(expect)) {
    if (field in fields) assert.deepEqual(fields[field], expected, `expect.${field}`);
  }
}

test('the shared examples are found', () => {
  assert.ok(files.length >= 10, `only ${files.length} examples in ${dir.pathname}`);
});

for (const file of files) {
  const example = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  const cases = example.cases ?? [example];
  test(`www/examples/${file} (${example.title ?? 'untitled'})`, () => {
    for (const c of cases) {
      const options = optionsOf(example, c);
      const input = c.input ?? example.input;
      const report = run(definitionOf(example), input, options);
      check(report, c.expect ?? {});
      const execution = new Execution(definitionOf(example), input, options);
      let steps = 0;
      while (execution.step() !== null) steps += 1;
      assert.equal(execution.stepCount, steps);
      assert.deepEqual(execution.report(), report);
      execution.free();
    }
  });
}
