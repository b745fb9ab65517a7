// Compiled by `tsc --strict` in package.test.mjs, never run: every line that uses the API must
// type-check, and every `@ts-expect-error` line must be an error, which it would not be if a
// declaration were `any`.
import {
  run,
  validate,
  Execution,
  type Cost,
  type Diagnostic,
  type ErrorCode,
  type ExecutionStatus,
  type HistoryEvent,
  type Inspection,
  type Json,
  type Pending,
  type RunOptions,
  type RunReport,
  type StatelabError,
  type Step,
  type ValidationReport,
} from 'statelab';
import initWeb, { initSync, run as runWeb } from '../../web/statelab.js';

const definition = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
const options: RunOptions = {
  stubs: { A: [{ Throw: { Error: 'E', Cause: 'c' } }, { Return: { ok: true }, Duration: 2 }] },
  startTime: '2026-01-01T00:00:00Z',
  seed: 1,
  type: 'EXPRESS',
  region: 'eu-west-1',
  maxSteps: 100,
  strictStubs: true,
};

const report: RunReport = run(definition, { a: [1, 'two', null] }, options);
const status: ExecutionStatus = report.status;
const output: Json | undefined = report.output;
const seconds: number = report.virtual_seconds;
const states: string[] = report.states_entered;
const cost: Cost = report.cost;
const usd: number = cost.standard_usd;
const event: HistoryEvent | undefined = report.history[0];
const entered: string | undefined = event?.stateEnteredEventDetails?.name;
const failedField: string | undefined =
  event?.type === 'EvaluationFailed' ? event.evaluationFailedEventDetails?.location : undefined;
// @ts-expect-error: the report has no `outputs`
report.outputs;
// @ts-expect-error: an unknown option
run(definition, {}, { maxStep: 5 });
// @ts-expect-error: the workflow type is upper case
run(definition, {}, { type: 'express' });
// @ts-expect-error: a stub is Return or Throw
run(definition, {}, { stubs: { A: { Retrun: 1 } } });
// The input and what stubs return may be typed by interfaces (no index signature needed).
interface Order {
  id: string;
  placed: Date;
}
const order: Order = { id: 'o-1', placed: new Date() };
run(definition, order, { stubs: { A: { Return: order } } });
// @ts-expect-error: a definition is text or an object
run(42);
run('StartAt: A\nStates:\n  A: {Type: Succeed}\n', undefined, { startTime: new Date() });

const validation: ValidationReport = validate(definition, { stateMachine: 'main' });
const diagnostic: Diagnostic | undefined = validation.diagnostics[0];
const line: number | undefined = diagnostic?.line;
const pointer: string | null | undefined = diagnostic?.location;
// @ts-expect-error: the result may be FAIL
const ok: 'OK' = validation.result;

const execution = new Execution(definition, {}, { stubs: {} });
const step: Step | null = execution.step();
if (step !== null) {
  const kind: 'enter' | 'task' | 'wait' | 'retry' | 'join' | 'timeout' | 'budget' | 'limit' = step.kind;
  const events: HistoryEvent[] = step.events;
}
const back: boolean = execution.back();
const hit: boolean = execution.runTo('A');
const inspection: Inspection | null = execution.inspect(1);
const afterParameters: Json | undefined = inspection?.afterParameters;
const retries: number | undefined = inspection?.retries[0]?.delaySeconds;
const visitStatus: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | 'ABORTED' | undefined = inspection?.status;
const history: HistoryEvent[] = execution.history;
const now: string = execution.now;
const elapsed: number = execution.elapsedSeconds;
const stepCount: number = execution.stepCount;
const entered2: string[] = execution.statesEntered;
const pending: Pending[] = execution.pending;
const soFar: RunReport = execution.report();
const finished: RunReport = execution.run();
// @ts-expect-error: read-only
execution.stepCount = 3;
// @ts-expect-error: the state is named by a string
execution.runTo(3);
execution.free();

try {
  run('{');
} catch (e) {
  const error = e as StatelabError;
  const code: ErrorCode = error.code;
  const where: string | null | undefined = error.diagnostics?.[0]?.location;
  const stubPointer: string | undefined = error.pointer;
  // @ts-expect-error: not a code
  const wrong: typeof error.code = 'NOT_A_CODE';
}

await initWeb();
initSync({ module: new Uint8Array() });
const webReport: RunReport = runWeb(definition);
