// The Execution class, validate, run and the thrown errors, as a JS caller sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { run, validate, Execution } from 'statelab';

const example = JSON.parse(readFileSync(new URL('../../../www/examples/hello-world.json', import.meta.url), 'utf8'));
const definition = JSON.stringify(example.definition, null, 2);

/** Charge is retried once after 2 s, then takes 1 s. */
const retrying = {
  StartAt: 'Charge',
  States: {
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:charge',
      Parameters: { 'amount.$': '$.total' },
      ResultSelector: { 'id.$': '$.id' },
      ResultPath: '$.payment',
      Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2 }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};
const stubs = { Charge: [{ Throw: { Error: 'Busy', Cause: 'later' } }, { Return: { id: 'p-1', x: 1 }, Duration: 1 }] };

test('validate returns plain objects', () => {
  const ok = validate(definition);
  assert.deepEqual(ok, { result: 'OK', diagnostics: [] });
  assert.equal(Object.getPrototypeOf(ok), Object.prototype);
  const bad = validate('StartAt: Nowhere\nStates:\n  A: {Type: Succeed}\n');
  assert.equal(bad.result, 'FAIL');
  assert.deepEqual(
    { ...bad.diagnostics[0], message: undefined },
    { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: undefined, location: '/StartAt', line: 1, column: 10, end_line: 1, end_column: 17 },
  );
});

test('run of the hello-world example', () => {
  const report = run(definition, example.input, { stubs: example.stubs });
  assert.equal(report.status, 'SUCCEEDED');
  assert.deepEqual(report.output, example.expect.output);
  assert.deepEqual(report.history.map((e) => e.type), [
    'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted',
    'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
  ]);
  assert.equal(report.history[1].stateEnteredEventDetails.input, '{"name":"world"}');
});

test('step, back, runTo and the getters', () => {
  const x = new Execution(retrying, { total: 5 }, { stubs });
  assert.equal(x.stepCount, 0);
  assert.equal(x.status, 'RUNNING');
  assert.equal(x.history.length, 1);
  const first = x.step();
  assert.equal(first.index, 1);
  assert.equal(first.kind, 'enter');
  assert.equal(first.state, 'Charge');
  assert.deepEqual(first.events.map((e) => e.type), ['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted']);
  assert.deepEqual(x.pending, [{ thread: '', state: 'Charge', waitingFor: 'task', until: '2026-01-01T00:00:00.000Z' }]);
  const second = x.step();
  assert.equal(second.kind, 'task');
  assert.equal(x.back(), true);
  assert.equal(x.stepCount, 1);
  assert.deepEqual(x.step(), second, 'the same step again: runs are deterministic');
  assert.equal(x.runTo('Done'), true);
  assert.equal(x.now, '2026-01-01T00:00:03.000Z');
  assert.equal(x.elapsedSeconds, 3);
  assert.deepEqual(x.statesEntered, ['Charge', 'Done']);
  assert.equal(x.step(), null);
  assert.equal(x.status, 'SUCCEEDED');
  assert.equal(x.cost.billable_transitions, 3);
  assert.deepEqual(x.report(), run(retrying, { total: 5 }, { stubs }));
});

test('inspect shows the data-flow stages of a visit', () => {
  const x = new Execution(retrying, { total: 5 }, { stubs });
  x.run();
  const charge = x.inspect(4);
  assert.deepEqual(charge, {
    step: 4,
    enteredStep: 1,
    state: 'Charge',
    type: 'Task',
    thread: '',
    status: 'SUCCEEDED',
    enteredAt: '2026-01-01T00:00:00.000Z',
    exitedAt: '2026-01-01T00:00:03.000Z',
    next: 'Done',
    input: { total: 5 },
    afterInputPath: { total: 5 },
    afterParameters: { amount: 5 },
    result: { id: 'p-1', x: 1 },
    afterResultSelector: { id: 'p-1' },
    afterResultPath: { total: 5, payment: { id: 'p-1' } },
    output: { total: 5, payment: { id: 'p-1' } },
    retries: [{ retrier: 0, attempt: 1, error: 'Busy', cause: 'later', at: '2026-01-01T00:00:00.000Z', delaySeconds: 2 }],
    assigned: {},
  });
  assert.equal(x.inspect().state, 'Done');
  assert.throws(() => x.inspect(6), { name: 'StatelabError', code: 'NO_SUCH_STEP' });
  // JS's coercion made inspect('1') and inspect(true) step 1.
  assert.throws(() => x.inspect('1'), { code: 'NO_SUCH_STEP', message: "inspect takes a step's number, not a string" });
  assert.throws(() => x.inspect(true), { code: 'NO_SUCH_STEP', message: /not a boolean/ });
  assert.equal(x.inspect(null).state, 'Done');
});

test('errors are thrown StatelabErrors with a code and the fields that locate them', () => {
  assert.throws(() => run('{"StartAt": "A"}'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'StatelabError');
    assert.equal(e.code, 'INVALID_DEFINITION');
    assert.equal(e.diagnostics[0].code, 'SCHEMA_VALIDATION_FAILED');
    return true;
  });
  assert.throws(() => run(definition, {}, { stub: {} }), {
    code: 'BAD_OPTIONS',
    message: /unknown field `stub`, expected one of `stubs`/,
  });
  assert.throws(() => run(definition, {}, { stubs: { HelloWorld: { Retrun: 1 } } }), {
    code: 'BAD_STUBS',
    pointer: '/HelloWorld/Retrun', // the unknown field's own place
  });
  assert.throws(() => run(definition, { n: 1n }), { code: 'BAD_INPUT', message: /BigInt/ });
  assert.deepEqual(run(definition, { gone: undefined }, { stubs: {} }).output, {}, 'undefined is absent, as in JSON');
  assert.throws(() => new Execution(definition).runTo('Nope'), { code: 'NO_SUCH_STATE' });
  // Not a name: a StatelabError, not a crash inside the WebAssembly.
  for (const notAName of [123, 1.5, {}, true, null, undefined, Symbol('s')]) {
    assert.throws(() => new Execution(definition).runTo(notAName), { name: 'StatelabError', code: 'NO_SUCH_STATE' });
  }
  // Values JSON.stringify would make null (the default) are mistakes, said as such.
  // In JavaScript's words, not Rust's type names.
  assert.throws(() => run(definition, {}, { maxSteps: 1.5 }), { code: 'BAD_OPTIONS', message: /maxSteps must be a whole number from 1 to 9007199254740991 .*, not 1\.5$/ });
  // It said "0 or more" of -1, and 0 is refused too.
  assert.throws(() => run(definition, {}, { maxSteps: -1 }), { code: 'BAD_OPTIONS', message: /from 1 to 9007199254740991 .*, not -1$/ });
  assert.throws(() => run(definition, {}, { seed: 'x' }), (e) => e.code === 'BAD_OPTIONS' && /expected a number/.test(e.message) && !/[iu]64|f64/.test(e.message));
  // A seed past 2^53 has lost digits before Statelab sees it (1e20 was "floating point, expected a whole number").
  assert.throws(() => run(definition, {}, { seed: 1e20 }), { code: 'BAD_OPTIONS', message: /seed must be a whole number from -9007199254740991 to 9007199254740991 .*not 100000000000000000000$/ });
  assert.throws(() => run(definition, {}, { seed: 2 ** 53 }), { code: 'BAD_OPTIONS' });
  // A QA pass: the option of the wrong type was not named, and serde's words (map, sequence)
  // were JavaScript's; a getter throwing a string gave an empty message; a 10 MB value was
  // written out whole in the message.
  assert.throws(() => run(definition, {}, { region: 5 }), { code: 'BAD_OPTIONS', message: /^Bad options: region: invalid type: the number `5`, expected a string$/ });
  assert.throws(() => run(definition, {}, { startTime: {} }), { code: 'BAD_OPTIONS', message: /^Bad options: startTime: invalid type: an object, expected a string$/ });
  assert.throws(() => run(definition, {}, { maxSteps: [] }), { code: 'BAD_OPTIONS', message: /^Bad options: maxSteps: invalid type: an array, expected a number$/ });
  assert.throws(() => run(definition, { get a() { throw 'database offline'; } }), { code: 'BAD_INPUT', message: /database offline/ });
  assert.throws(() => run(definition, {}, { get seed() { throw 42; } }), { code: 'BAD_OPTIONS', message: /^Bad options: the options cannot be written as JSON: 42$/ });
  assert.throws(() => validate(definition, new Date(0)), { code: 'BAD_OPTIONS', message: /expected an options object$/ });
  const huge = 'x'.repeat(2 ** 20);
  // A review: a million quote marks passed the per-value cut.
  const quotes = "'`\"".repeat(2 ** 18);
  for (const options of [{ region: huge }, { type: huge }, { startTime: huge }, { seed: huge }, { [huge]: 1 }, { seed: quotes }, { [quotes]: 1 }]) {
    assert.throws(() => run(definition, {}, options), (e) => e.code === 'BAD_OPTIONS' && e.message.length < 1000 && e.message.includes('…'));
  }
  assert.equal(run(definition, {}, { seed: -(2 ** 53 - 1) }).status, 'SUCCEEDED');
  assert.throws(() => run(definition, {}, { maxSteps: NaN }), { code: 'BAD_OPTIONS', message: /maxSteps cannot be NaN/ });
  // Not 'must be a finite number': region is a string.
  assert.throws(() => run(definition, {}, { region: -Infinity }), { code: 'BAD_OPTIONS', message: /: region cannot be -Infinity$/ });
  // The stubs themselves too (they were read as absent: every Task echoed its input).
  for (const stubs of [NaN, Infinity, new Date(NaN)]) {
    assert.throws(() => run(definition, {}, { stubs }), { code: 'BAD_STUBS', message: /: stubs (cannot be|is an invalid Date)/ });
  }
  assert.throws(() => run(definition, {}, { startTime: new Date('garbage') }), { code: 'BAD_OPTIONS', message: /startTime is an invalid Date/ });
  assert.throws(() => run(definition, {}, { startTime: '9999-12-31T00:00:00Z' }), { code: 'BAD_OPTIONS' });
  assert.throws(() => run(definition, {}, { mockTestCase: 'x' }), { code: 'BAD_OPTIONS', message: /mockTestCase applies to a MockConfigFile/ });
  assert.throws(() => run(definition, {}, { stubs: { HelloWorld: { Return: 10n } } }), { code: 'BAD_STUBS', message: /BigInt/ });
  // JSON.stringify leaves functions and Symbols out altogether: they read as not given, so
  // `maxSteps: () => 3` ran on and function stubs ran unstubbed (a QA pass). Refused now.
  for (const options of [{ maxSteps: () => 3 }, { stubs: () => ({}) }, { strictStubs: Symbol('x') }]) {
    assert.throws(() => run(definition, {}, options), { code: 'BAD_OPTIONS', message: /is (a function|a Symbol), which has no JSON value/ });
  }
  assert.throws(() => validate(definition, { type: () => 'EXPRESS' }), { code: 'BAD_OPTIONS', message: /'?type'? is a function/ });
  // validate takes no stubs: an unknown option, whatever its value (NaN stubs were BAD_STUBS).
  assert.throws(() => validate(definition, { stubs: NaN }), { code: 'BAD_OPTIONS', message: /unknown field/ });
});

test('stateMachine names the MockConfigFile machine for a bare definition, as --state-machine does', () => {
  const task = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
  const mock = {
    StateMachines: { A: { TestCases: { C: { T: 'FromA' } } }, B: { TestCases: { C: { T: 'FromB' } } } },
    MockedResponses: { FromA: { 0: { Return: 'from A' } }, FromB: { 0: { Return: 'from B' } } },
  };
  // It was refused: 'no state machine named "B"; the document has "StateMachine"', while the
  // error without it asked to say which machine.
  assert.equal(run(task, {}, { stubs: mock, stateMachine: 'B', mockTestCase: 'C' }).output, 'from B');
  assert.equal(validate(task, { stateMachine: 'B' }).result, 'OK');
  // And it is the machine's name, in its ARNs (it stayed StateMachine while B's stubs were read).
  const named = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'name.$': '$$.StateMachine.Name' }, End: true } } };
  assert.deepEqual(run(named, {}, { stateMachine: 'B' }).output, { name: 'B' });
  assert.deepEqual(run(named, {}).output, { name: 'StateMachine' });
});

test('stubs and options are read as the input is: deep, and with lone surrogates', () => {
  const task = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
  let deep = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  // Both were BAD_OPTIONS ('recursion limit exceeded', 'unexpected end of hex escape'): the
  // options went through another JSON reader than the input.
  assert.deepEqual(run(task, {}, { stubs: { T: { Return: deep } } }).output, deep);
  assert.equal(run(task, {}, { stubs: { T: { Return: 'a\uD800b' } } }).output, 'a\uFFFDb');
  assert.equal(run(task, {}, { stubs: { T: { Return: 1 } }, stateMachine: 'x\uD800' }).status, 'SUCCEEDED');
});

test('the report lists stubs the run could never use', () => {
  const task = { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
  // A misspelt stub let the Task echo its input with no word: a JS test passed without its stub.
  const r = run(task, { x: 1 }, { stubs: { Chrage: { Return: 1 } } });
  assert.deepEqual(r.output, { x: 1 });
  assert.equal(r.unused_stubs.length, 1);
  assert.equal(r.unused_stubs[0].pointer, '/Chrage');
  assert.match(r.unused_stubs[0].message, /did you mean 'Charge'/);
  assert.equal(run(task, {}, { stubs: { Charge: { Return: 1 } } }).unused_stubs, undefined);
});

test('options whose reading throws give BAD_OPTIONS, and the module keeps working', () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  let reads = 0;
  const secondReadThrows = { get seed() { if (reads++ % 2) throw new Error('second read'); return 1; } };
  class BadDate extends Date { getTime() { throw new Error('no time'); } }
  // Each exception used to unwind through the WebAssembly without restoring its stack: after a
  // few hundred of them every call failed with "memory access out of bounds".
  for (let i = 0; i < 1500; i++) {
    assert.throws(() => run(definition, {}, proxy), { name: 'StatelabError', code: 'BAD_OPTIONS' });
    assert.throws(() => validate(definition, proxy), { name: 'StatelabError', code: 'BAD_OPTIONS' });
    assert.throws(() => new Execution(definition, {}, proxy), { name: 'StatelabError', code: 'BAD_OPTIONS' });
  }
  assert.equal(run(definition, {}, secondReadThrows).status, 'SUCCEEDED', 'a getter read once is fine');
  // Its own getTime is never called: Date.prototype's is.
  assert.throws(() => run(definition, {}, { startTime: new BadDate(NaN) }), { code: 'BAD_OPTIONS', message: /startTime is an invalid Date/ });
  assert.equal(run(definition, {}, { startTime: new BadDate(0) }).status, 'SUCCEEDED');
  assert.equal(run(definition).status, 'SUCCEEDED');
});

test('an Express run of a .sync Task is INVALID_DEFINITION, located at its Resource', () => {
  const sync = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync', Parameters: { JobName: 'j' }, End: true } } };
  // It was BAD_INPUT, which is about the input.
  assert.throws(() => run(sync, {}, { type: 'EXPRESS' }), (e) => {
    assert.equal(e.code, 'INVALID_DEFINITION');
    assert.equal(e.diagnostics[0].location, '/States/T/Resource');
    assert.match(e.diagnostics[0].message, /State 'T' cannot run in an Express workflow/);
    return true;
  });
  assert.equal(run(sync).status, 'SUCCEEDED');
});

test('validate checks for the workflow type given, else the one a template declares', () => {
  const sync = '{"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,\n  "Resource": "arn:aws:states:::glue:startJobRun.sync"}}}';
  assert.equal(validate(sync).result, 'OK');
  // As ValidateStateMachineDefinition's `type`: an Express machine cannot run a .sync Task.
  const express = validate(sync, { type: 'EXPRESS' });
  assert.equal(express.result, 'FAIL');
  assert.deepEqual(
    [express.diagnostics[0].location, express.diagnostics[0].line, express.diagnostics[0].column],
    ['/States/T/Resource', 2, 15],
  );
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  M:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition: ${sync.replace('\n', '')}
`;
  // It passed: only a run refused it.
  assert.equal(validate(template).result, 'FAIL');
  assert.equal(validate(template, { type: 'STANDARD' }).result, 'OK');
  assert.throws(() => validate(sync, { type: 'FAST' }), { code: 'BAD_OPTIONS' });
});

test('a failed JSONata expression records an EvaluationFailed event, as the .d.ts declares', () => {
  const failing = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $nope.x %}', End: true } } };
  const event = run(failing).history.find((e) => e.type === 'EvaluationFailed');
  assert.ok(event, 'an EvaluationFailed event');
  assert.deepEqual(Object.keys(event.evaluationFailedEventDetails), ['error', 'cause', 'location', 'state']);
  const declared = readFileSync(new URL('../node/statelab.d.ts', import.meta.url), 'utf8');
  assert.match(declared, /"EvaluationFailed"/);
});

test('a "__proto__" key in the data is an own property, as JSON.parse makes it', () => {
  // It became the object's prototype: the key was missing from the output and its members
  // showed through as inherited properties.
  const input = JSON.parse('{"__proto__": {"isAdmin": true}, "a": 1}');
  const pass = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
  const r = run(pass, input);
  assert.deepEqual(Object.keys(r.output), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(r.output), Object.prototype);
  assert.equal(r.output.isAdmin, undefined);
  assert.equal(JSON.stringify(r.output), '{"__proto__":{"isAdmin":true},"a":1}');
  const x = new Execution(pass, input);
  x.run();
  assert.deepEqual(Object.keys(x.inspect(1).output), ['__proto__', 'a']);
  // A variable of that name too, in the history and in the inspector.
  const assigning = JSON.parse('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"__proto__": 1}, "End": true}}}');
  const exited = run(assigning).history.find((e) => e.type === 'PassStateExited');
  assert.deepEqual(Object.keys(exited.stateExitedEventDetails.assignedVariables), ['__proto__']);
  const y = new Execution(assigning);
  y.run();
  assert.deepEqual(Object.keys(y.inspect(1).assigned), ['__proto__']);
});

test('free() and [Symbol.dispose] may be called again', () => {
  const x = new Execution(definition);
  x.free();
  // It threw "null pointer passed to rust": `using x = ...` then x.free() threw at the scope's end.
  x.free();
  if (Symbol.dispose) x[Symbol.dispose]();
  assert.throws(() => x.step(), /null pointer passed to rust/);
  assert.equal(run(definition).status, 'SUCCEEDED');
});
