// Playground, part 2: the debugger — graph, stepping, virtual clock, inspector, cost.
import { test, expect } from '@playwright/test';
import { open, load, example, setEditor, runToEnd, countingLoop } from './helpers.mjs';
import { mkdirSync } from 'node:fs';

// Screenshots for the README are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to
// test-results so a normal run changes nothing in the repository.
const shots = process.env.UPDATE_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : new URL('test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

async function openExample(page, name) {
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator(`[data-example="${name}"]`).click();
  await expect(page.getByTestId('graph').locator(`[data-testid="graph-node"]`).first()).toBeVisible();
  // The graph's opening view is set in an animation frame: positions are read after it.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const node = (page, name) => page.getByTestId('graph').locator(`[data-state="${name}"]`);

async function stepUntil(page, predicate, max = 200) {
  for (let i = 0; i < max; i++) {
    if (await predicate()) return;
    await page.getByTestId('step').click();
  }
  throw new Error('condition not reached');
}

test('report-runner: three Wait loops, each moving the clock 10 s, stepped one event at a time', async ({ page }) => {
  await open(page);
  await openExample(page, 'report-runner');
  await expect(node(page, 'WaitBeforeCheckState')).toHaveAttribute('data-status', 'idle');
  await page.getByTestId('step').click();
  await expect(node(page, 'CreateReportState')).toHaveAttribute('data-status', 'current');
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  // Each pass through the Wait adds 10 virtual seconds.
  for (const seconds of [10, 20, 30]) {
    await stepUntil(page, async () => (await page.getByTestId('virtual-clock').textContent()).endsWith(`+${seconds}s`));
    await expect(node(page, 'WaitBeforeCheckState')).toHaveAttribute('data-visits', String(seconds / 10));
  }
  // Back goes one step back in time too.
  const before = await page.getByTestId('virtual-clock').textContent();
  await page.getByTestId('back').click();
  await expect(page.getByTestId('virtual-clock')).not.toHaveText(before);
  await expect(page.getByTestId('virtual-clock')).toContainText('+20s');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('virtual-clock')).toHaveText(before);
  // Next state skips to the next state entered; Run to the end.
  await page.getByTestId('step-over').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(node(page, 'CheckIfDoneState')).toHaveAttribute('data-visits', '3');
  await expect(node(page, 'UpdateSiteState')).toHaveAttribute('data-status', 'visited');
  await expect(page.getByTestId('transitions')).toHaveText('12');
  await expect(page.getByTestId('cost-standard')).toHaveText('$0.0003');
  // The timeline shows every visit; the Wait bars are 10 s long.
  await page.getByTestId('tab-timeline').click();
  await expect(page.getByTestId('timeline').getByTestId('timeline-bar')).toHaveCount(12);
  const end = await page.getByTestId('virtual-clock').textContent();
  // A click on a bar goes back to that moment.
  await page.getByTestId('timeline').locator('[data-testid="timeline-bar"][data-state="PollReportState"]').nth(1).click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  await expect(page.getByTestId('virtual-clock')).toContainText('+20s');
  // The bars after it stay, drawn faint (they vanished: a QA pass), and a click on one steps on
  // to it: here the last, which reaches the end's moment.
  const bars = page.getByTestId('timeline').getByTestId('timeline-bar');
  const ahead = page.getByTestId('timeline').locator('[data-testid="timeline-bar"][data-ahead="true"]');
  await expect(bars).toHaveCount(12);
  await expect(page.getByTestId('timeline-ahead')).toBeVisible();
  const later = await ahead.count();
  expect(later).toBeGreaterThan(1);
  expect(later).toBeLessThan(12);
  // The bars are drawn widest first: their ids give the order of the visits.
  const ids = (await ahead.evaluateAll((bars) => bars.map((b) => b.id))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  await expect(page.locator(`#${ids[0]}`)).toHaveAttribute('aria-label', /ahead of the current step/);
  await page.locator(`#${ids[0]}`).click();
  await expect(ahead).toHaveCount(later - 1);
  await page.locator(`#${ids[ids.length - 1]}`).click();
  await expect(ahead).toHaveCount(0);
  await expect(page.getByTestId('timeline-ahead')).toHaveCount(0);
  await expect(bars).toHaveCount(12);
  await expect(page.getByTestId('virtual-clock')).toHaveText(end);
  // Back to step 0 every bar is ahead, and one of them is still the Tab stop (none was: review).
  await page.locator('#tl-bar-0').click();
  await page.keyboard.press('Shift+F10');
  await expect(ahead).toHaveCount(12);
  await expect(page.getByTestId('timeline').locator('[data-testid="timeline-bar"][tabindex="0"]')).toHaveCount(1);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  // So does Enter on a bar reached from the keyboard.
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('timeline').locator('[data-testid="timeline-bar"][data-state="PollReportState"]').nth(1).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  await expect(page.getByTestId('virtual-clock')).toContainText('+20s');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await page.getByTestId('tab-timeline').click();
  await page.screenshot({ path: `${shots}report-runner.png` });
});

test('pdf-transform: the retry waits 30 s, the Parallel fails and is caught, Rollback runs', async ({ page }) => {
  await open(page);
  await openExample(page, 'pdf-transform');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('virtual-clock')).toContainText('+30s');
  await expect(node(page, 'Convert')).toHaveAttribute('data-status', 'visited');
  await expect(node(page, 'Processing')).toHaveAttribute('data-status', 'caught');
  await expect(node(page, 'Thumbnail')).toHaveAttribute('data-status', 'failed');
  await expect(node(page, 'Thumbnail')).toHaveAttribute('aria-label', /, failed$/);
  await expect(node(page, 'Rollback')).toHaveAttribute('data-status', 'visited');
  // Convert's visit: one retry, 30 s, by the States.TaskFailed retrier.
  await node(page, 'Convert').click();
  await expect(page.getByTestId('node-panel')).toContainText(/\b1 visit(?![s(])/);
  await page.getByTestId('node-visit').first().click();
  const insp = page.getByTestId('inspector');
  await expect(insp.getByTestId('inspector-state')).toHaveText('Convert');
  await expect(insp.getByTestId('retries')).toContainText('DiskFullError');
  await expect(insp.getByTestId('retries')).toContainText('30s');
  await expect(insp.getByTestId('explain')).toContainText('Retrier #0 (ErrorEquals [States.TaskFailed]) retried it (attempt 1 of 2) after 30s');
  await expect(insp.getByTestId('stage-result')).toContainText('report.png');
  // The Parallel's visit says what the Catch did.
  await node(page, 'Processing').click();
  await page.getByTestId('node-visit').first().click();
  await expect(insp.getByTestId('inspector-status')).toContainText('caught ImageTooSmall');
  await expect(insp.getByTestId('explain')).toContainText("caught by Catcher #0 (ErrorEquals [States.TaskFailed])");
  await expect(insp.getByTestId('explain')).toContainText("went to 'Rollback'");
  // Cost: six transitions, one of them the retry.
  await expect(page.getByTestId('transitions')).toHaveText('6');
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('cost').getByTestId('cost-row').filter({ hasText: 'Convert' })).toContainText('2');
  await page.getByTestId('projection-executions').fill('1000000');
  await expect(page.getByTestId('projection-standard')).toHaveText('$149.90');
  await expect(page.getByTestId('projection-express')).toContainText('$');
  await page.getByTestId('cost-heat').check();
  await expect(node(page, 'Convert')).toHaveClass(/heat/);
  await page.screenshot({ path: `${shots}pdf-transform.png` });
});

test('Play pauses at a breakpoint; Run to breakpoint without one says it runs to the end', async ({ page }) => {
  // Play went through breakpoints, and Run to breakpoint with none set ran to the end without a
  // word (a QA pass).
  const errors = await open(page);
  await load(page, { definition: { StartAt: 'A', States: {
    A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Succeed' } } } });
  await page.getByTestId('run-to-breakpoint').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('notice')).toContainText('No breakpoint is set, so this runs to the end');
  await node(page, 'B').click();
  await page.getByTestId('toggle-breakpoint').click();
  // The label says so, and what the colours say, to a screen reader.
  await expect(node(page, 'B')).toHaveAttribute('aria-label', 'B (Pass): 1 visit, 1 transition, breakpoint set');
  await page.getByTestId('speed').selectOption('30');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('notice')).toContainText("Paused at the breakpoint on 'B'");
  await expect(page.getByTestId('status')).toHaveText(/PAUSED/);
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  // Run to breakpoint says where it paused; a breakpoint on the last state, whose entry ends the
  // execution, is said to be reached (it looked ignored: a QA pass).
  await node(page, 'C').click();
  await page.getByTestId('toggle-breakpoint').click();
  await page.getByTestId('reset').click();
  await page.getByTestId('run-to-breakpoint').click();
  await expect(page.getByTestId('notice')).toHaveText(/Paused at the breakpoint on 'B'/);
  await page.getByTestId('run-to-breakpoint').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('notice')).toHaveText(/Reached the breakpoint on 'C', where the execution ended/);
  // After the end it starts again, and says so with where it paused (the "started a new one"
  // notice stood a few milliseconds before the breakpoint's took its place: a QA pass).
  await page.getByTestId('run-to-breakpoint').click();
  await expect(page.getByTestId('notice')).toHaveText(/^The execution had ended: started a new one from the beginning\. Paused at the breakpoint on 'B'/);
  // The next action takes the notice of the last one away (it stood on: a QA pass).
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('notice')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('after an edit to another machine, the old run is not drawn on the new states', async ({ page }) => {
  // The old execution's visits were drawn on the new states that had their ids, and a visit
  // listed for Y opened IsPolite in the inspector (a QA pass).
  const errors = await open(page);
  await runToEnd(page);
  await expect(node(page, 'IsPolite')).toHaveAttribute('data-status', 'visited');
  await setEditor(page, 'definition', JSON.stringify({ StartAt: 'X', States: {
    X: { Type: 'Pass', Next: 'Y' }, Y: { Type: 'Pass', Next: 'Z' }, Z: { Type: 'Succeed' } } }));
  await expect(node(page, 'Y')).toHaveAttribute('data-status', 'idle');
  await expect(node(page, 'Y')).toHaveAttribute('data-visits', '0');
  await node(page, 'Y').click();
  await expect(page.getByTestId('node-panel')).toBeVisible();
  await expect(page.getByTestId('node-visit')).toHaveCount(0);
  // The run of the new machine is drawn as usual, also while the text is broken for a moment
  // (the drawing is of the last good machine, which is the one that ran: review).
  await runToEnd(page);
  await expect(node(page, 'Y')).toHaveAttribute('data-status', 'visited');
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.insertText('x');
  await expect(page.getByTestId('graph-stale')).toBeVisible();
  await expect(node(page, 'Y')).toHaveAttribute('data-status', 'visited');
  expect(errors).toEqual([]);
});

test("a selected event's details leave the history table room to be read", async ({ page }) => {
  // At 1400 x 1000 the details took all but three rows of the table (a QA pass).
  await page.setViewportSize({ width: 1400, height: 1000 });
  const errors = await open(page);
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  await page.getByTestId('history-row').nth(2).click();
  await expect(page.getByTestId('event-details')).toBeVisible();
  const rows = await page.getByTestId('history').evaluate((el) => el.clientHeight / 26);
  expect(rows).toBeGreaterThanOrEqual(5);
  expect(errors).toEqual([]);
});

test('library loan: two weeks of Waits in no real time, with a breakpoint', async ({ page }) => {
  await open(page);
  await openExample(page, 'library-loan');
  await node(page, 'Escalate').click();
  await page.getByTestId('toggle-breakpoint').click();
  await expect(node(page, 'Escalate')).toHaveAttribute('data-breakpoint', 'true');
  // No real time passes: two weeks of Waits could not be waited out within the assertion's own
  // timeout (a wall-clock bound here failed on any stall of a loaded machine).
  await page.getByTestId('run-to-breakpoint').click();
  await expect(node(page, 'Escalate')).toHaveAttribute('data-status', /current|failed/);
  await expect(page.getByTestId('virtual-clock')).toContainText('2026-01-15 09:00:00 UTC');
  await expect(page.getByTestId('virtual-clock')).toContainText('+14d');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  await expect(page.getByTestId('error')).toHaveText('LoanOverdue');
  // The inspector explains the Choice that sent the loan to Escalate.
  await node(page, 'Returned?').click();
  await page.getByTestId('node-visit').nth(1).click();
  await expect(page.getByTestId('inspector').getByTestId('explain')).toContainText('Rule #1 matched: $.reminded is');
  await expect(page.getByTestId('inspector').getByTestId('explain')).toContainText("So the execution went to 'Escalate'.");
  await page.screenshot({ path: `${shots}library-loan.png` });
});

test('a Step redraws only the graph nodes whose status or count changed', async ({ page }) => {
  // Every node was drawn again on each Step: with 5,000 states, 650 ms a Step (a QA pass).
  const errors = await open(page);
  await load(page, { definition: countingLoop(3), input: { i: 0 } });
  const nodes = page.getByTestId('graph-node');
  const total = await nodes.count();
  expect(total).toBeGreaterThan(2);
  await page.getByTestId('step').click();
  await nodes.evaluateAll((els) => { for (const el of els) el.__mark = true; });
  await page.getByTestId('step').click();
  await expect(page.getByTestId('transitions')).toHaveText('2');
  // The state left and the state entered are drawn again; the others are the same elements.
  const kept = await nodes.evaluateAll((els) => els.filter((el) => el.__mark === true).length);
  expect(kept).toBeGreaterThanOrEqual(total - 2);
  expect(kept).toBeLessThan(total);
  expect(errors).toEqual([]);
});

test('the drawing is as large as the graph pane, through window resizes', async ({ page }) => {
  // It is sized in pixels from a ResizeObserver (sized 100%, every text change elsewhere had the
  // browser lay all of it out again): it must follow the pane.
  const errors = await open(page);
  const sizes = () => page.getByTestId('graph').evaluate((host) => {
    const svg = host.querySelector('svg').getBoundingClientRect();
    return [host.clientWidth, host.clientHeight, Math.round(svg.width), Math.round(svg.height)];
  });
  for (const [width, height] of [[1440, 900], [1000, 700], [1600, 1000], [720, 760]]) {
    await page.setViewportSize({ width, height });
    await expect.poll(async () => { const [w, h, sw, sh] = await sizes(); return [sw - w, sh - h]; }).toEqual([0, 0]);
  }
  expect(errors).toEqual([]);
});

test('a Step adds history rows without redrawing the rows already in view', async ({ page }) => {
  await open(page);
  await openExample(page, 'report-runner');
  await page.getByTestId('tab-history').click();
  for (let i = 0; i < 3; i++) await page.getByTestId('step').click();
  const rows = page.getByTestId('history-row');
  const before = await rows.count();
  expect(before).toBeGreaterThan(1);
  await rows.evaluateAll((els) => {
    window.__rowChanges = 0;
    const obs = new MutationObserver((records) => { window.__rowChanges += records.length; });
    for (const el of els) {
      el.dataset.seen = 'yes';
      obs.observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
    }
    // Marking them is not a change of theirs.
    queueMicrotask(() => obs.takeRecords());
  });
  await page.evaluate(() => { window.__rowChanges = 0; });
  await page.getByTestId('step').click();
  await expect.poll(() => rows.count()).toBeGreaterThan(before);
  // The rows from before are the same elements, untouched: not an attribute or a text was
  // rewritten in them. Only the new events' rows were made.
  expect(await page.locator('[data-testid="history-row"][data-seen="yes"]').count()).toBe(before);
  expect(await page.evaluate(() => window.__rowChanges)).toBe(0);
  // Selecting a row redraws that row, and Back removes the rows of the undone events.
  await rows.nth(0).click();
  await expect(rows.nth(0)).toHaveClass(/selected/);
  await page.getByTestId('back').click();
  await expect(rows).toHaveCount(before);
});

test('keyboard: the history table selects events with the arrows, Page Up/Down, Home and End, scrolling to them', async ({ page }) => {
  const errors = await open(page);
  // 100 rounds of a Pass/Choice loop: 404 events, far more than the table shows at once.
  await load(page, { definition: countingLoop(100), input: { i: 0 } });
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  const table = page.getByTestId('history');
  await expect(table).toHaveAttribute('data-count', '404');
  const details = page.getByTestId('event-details');
  const selected = page.locator('[data-testid="history-row"].selected');
  await table.focus();
  await page.keyboard.press('ArrowDown');
  await expect(details).toContainText('"type": "ExecutionStarted"');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(details).toContainText('"id": 3');
  await expect(selected).toContainText('PassStateExited');
  await page.keyboard.press('ArrowUp');
  await expect(selected).toContainText('PassStateEntered');
  // End: the last event, scrolled into view (the row exists only once it is near the view).
  await page.keyboard.press('End');
  await expect(details).toContainText('"type": "ExecutionSucceeded"');
  await expect(selected).toBeInViewport();
  await expect(selected.locator('.h-id')).toHaveText('404');
  // To assistive technology: a grid of 404 rows, this one selected and the last.
  await expect(table).toHaveAttribute('aria-rowcount', '404');
  await expect(page.getByRole('row', { selected: true })).toHaveAttribute('aria-rowindex', '404');
  await expect(page.getByRole('row', { selected: true })).toHaveCount(1);
  await page.keyboard.press('PageUp');
  await expect(selected).toBeInViewport();
  const afterPageUp = Number(await selected.locator('.h-id').textContent());
  expect(afterPageUp).toBeLessThan(404);
  expect(afterPageUp).toBeGreaterThan(380);
  await page.keyboard.press('Home');
  await expect(selected.locator('.h-id')).toHaveText('1');
  await expect(selected).toBeInViewport();
  await expect(table).toBeFocused();
  expect(errors).toEqual([]);
});

test('a tall graph opens readable at its top, Fit shows it whole, and stepping keeps the current state in view', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'state-tour');
  const graph = page.getByTestId('graph');
  const box = await graph.boundingBox();
  const height = async (name) => (await node(page, name).boundingBox()).height;
  // A state box is 40 units high: at the readable scale (0.6) it is 24 px; fitted, 9 px.
  expect(await height('Prepare')).toBeGreaterThanOrEqual(24 - 0.5);
  await expect(node(page, 'Prepare')).toBeInViewport();
  const inGraph = async (name) => {
    const b = await node(page, name).boundingBox();
    return b.y >= box.y - 0.5 && b.y + b.height <= box.y + box.height + 0.5 && b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5;
  };
  expect(await inGraph('PackEach')).toBe(false);
  // Stepping into the Map near the bottom: the view follows, so the current state is drawn in full.
  await stepUntil(page, async () => (await node(page, 'PackEach').getAttribute('data-status')) === 'current');
  expect(await inGraph('PackEach')).toBe(true);
  // Fit shows the whole machine, smaller.
  await page.getByTestId('fit').click();
  expect(await height('Prepare')).toBeLessThan(20);
  expect(await inGraph('Prepare')).toBe(true);
  expect(await inGraph('Done')).toBe(true);
  expect(errors).toEqual([]);
});

test('the graph is resized by dragging or from the keyboard, and keeps its height on reload', async ({ page }) => {
  const errors = await open(page);
  const graph = page.getByTestId('graph');
  const handle = page.getByTestId('graph-splitter');
  const before = (await graph.boundingBox()).height;
  const h = await handle.boundingBox();
  await page.mouse.move(h.x + 50, h.y + h.height / 2);
  await page.mouse.down();
  await page.mouse.move(h.x + 50, h.y + 150, { steps: 5 });
  await page.mouse.up();
  const dragged = (await graph.boundingBox()).height;
  expect(dragged).toBeGreaterThan(before + 120);
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(Math.abs((await graph.boundingBox()).height - dragged)).toBeLessThan(2);
  // From the keyboard: Home gives the graph the least room, arrows move in steps.
  await handle.focus();
  await page.keyboard.press('Home');
  await expect(handle).toHaveAttribute('aria-valuenow', '15');
  const least = (await graph.boundingBox()).height;
  expect(least).toBeLessThan(before);
  await page.keyboard.press('ArrowDown');
  await expect(handle).toHaveAttribute('aria-valuenow', /^1[78]$/);
  // A double click puts it back.
  await handle.dblclick();
  await expect(handle).toHaveAttribute('aria-valuenow', '55');
  expect(Math.abs((await graph.boundingBox()).height - before)).toBeLessThan(2);
  expect(errors).toEqual([]);
});

test('parallel branches and map iterations: pending list and one iteration at a time', async ({ page }) => {
  await open(page);
  await openExample(page, 'map-concurrency');
  // Step until the first two iterations are running.
  await stepUntil(page, async () => (await page.getByTestId('pending').count()) > 0 && (await page.getByTestId('pending').textContent()).includes('2 pending'));
  await page.getByTestId('pending').locator('summary').click();
  await expect(page.getByTestId('pending')).toContainText('ProcessAll#0');
  await expect(page.getByTestId('pending')).toContainText('ProcessAll#1');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('virtual-clock')).toContainText('+4s');
  await page.getByTestId('thread-filter').selectOption('ProcessAll#2');
  await expect(node(page, 'Process')).toHaveAttribute('data-visits', '1');
  // Its label says which counts are the iteration's and which the whole execution's.
  await expect(node(page, 'Process')).toHaveAttribute('aria-label', 'Process (Task): 1 visit in ProcessAll#2; 5 transitions in the whole execution');
  await page.getByTestId('thread-filter').selectOption('');
  await expect(node(page, 'Process')).toHaveAttribute('data-visits', '5');
  await expect(node(page, 'Process')).toHaveAttribute('aria-label', 'Process (Task): 5 visits, 5 transitions');
  // After Reset the iteration shown is gone: picker and graph both go back to all of them.
  await page.getByTestId('thread-filter').selectOption('ProcessAll#2');
  await page.getByTestId('reset').click();
  for (let i = 0; i < 4; i++) await page.getByTestId('step').click();
  await expect(page.getByTestId('thread-filter')).toHaveValue('');
  await expect(node(page, 'Process')).not.toHaveAttribute('aria-label', /in ProcessAll#2/);
});

test('play animates the steps and the inspector highlights what changed', async ({ page }) => {
  await open(page);
  await page.getByTestId('speed').selectOption('30');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED', { timeout: 10000 });
  await page.getByTestId('tab-inspector').click();
  const insp = page.getByTestId('inspector');
  await page.getByTestId('graph').locator('[data-state="SayHello"]').click();
  await page.getByTestId('node-visit').first().click();
  await expect(insp.getByTestId('stage-afterParameters')).toContainText('FunctionName');
  await expect(insp.getByTestId('stage-afterResultSelector')).toContainText('Hello, world!');
  // ResultPath's changes are counted from the state's input: the result added, the input's own
  // "name" untouched (they were counted from the ResultSelector's output, marking every key).
  const placed = insp.getByTestId('stage-afterResultPath');
  await expect(placed).toContainText('(compared with input)');
  await expect(placed.locator('.j-changed').first()).toBeVisible();
  await expect(placed.locator('.j-changed')).toHaveCount(2);
  await expect(placed.locator('.j-changed', { hasText: 'result' })).toHaveCount(1);
  await expect(placed.locator('.j-row', { hasText: 'name' })).not.toHaveClass(/j-changed/);
  await expect(insp.getByTestId('explain')).toContainText('ResultPath $.result placed the result inside the original input');
});

test('a reload comes back to the same step of the same execution; after an edit it does not', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'report-runner');
  await stepUntil(page, async () => (await page.getByTestId('virtual-clock').textContent()).endsWith('+20s'));
  await page.getByTestId('step').click();
  const clock = await page.getByTestId('virtual-clock').textContent();
  const transitions = await page.getByTestId('transitions').textContent();
  const status = await page.getByTestId('status').textContent();
  await page.reload();
  await expect(page.getByTestId('virtual-clock')).toHaveText(clock);
  await expect(page.getByTestId('transitions')).toHaveText(transitions);
  await expect(page.getByTestId('status')).toHaveText(status);
  // Stepping goes on from there.
  await page.getByTestId('step-over').click();
  await expect(page.getByTestId('transitions')).not.toHaveText(transitions);
  // An edit after the run: the saved step belongs to another session, so a reload starts clean.
  await setEditor(page, 'input', '{"edited": true}');
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(page.getByTestId('transitions')).toHaveText('0');
  expect(errors).toEqual([]);
});

test('visit counts of four digits and more fit their badge', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: countingLoop(1201), input: { i: 0 } });
  await runToEnd(page);
  const badge = node(page, 'Inc').locator('.visit-badge');
  await expect(badge.locator('text')).toHaveText('1.2k');
  await expect(node(page, 'Inc')).toHaveAttribute('data-visits', '1201');
  const [text, pill] = await Promise.all([badge.locator('text').boundingBox(), badge.locator('rect').boundingBox()]);
  expect(text.x).toBeGreaterThanOrEqual(pill.x);
  expect(text.x + text.width).toBeLessThanOrEqual(pill.x + pill.width);
  expect(errors).toEqual([]);
});

test('keyboard: a state opened with Enter keeps the focus; Escape closes its panel and gives it back', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'hello-world');
  // Choosing the example gave the focus back to the Examples button.
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('open-examples');
  const name = 'HelloWorld';
  await node(page, name).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-panel')).toBeVisible();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-state'));
  await expect.poll(focused).toBe(name);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-panel')).toHaveCount(0);
  await expect.poll(focused).toBe(name);
  expect(errors).toEqual([]);
});

test('the Express price is not shown for an execution longer than Express allows', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 301, End: true } } } });
  await runToEnd(page);
  await expect(page.getByTestId('cost-express')).toHaveText('n/a');
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('cost-express-na')).toBeVisible();
  await expect(page.getByTestId('cost')).toContainText('longer than the 5 minutes an Express workflow may run');
  await expect(page.getByTestId('projection-express')).toHaveText('n/a');
  // No breakdown of a price there is none of (it was printed under "n/a": a QA pass).
  await expect(page.getByTestId('cost')).not.toContainText('ms billed');
  // Within the limit, the price is there, with its breakdown.
  await load(page, { definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 300, End: true } } } });
  await runToEnd(page);
  await expect(page.getByTestId('cost-express')).toHaveText(/^\$/);
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('express-breakdown')).toContainText('300000 ms billed');
  expect(errors).toEqual([]);
});

test('after Reset nothing has run, so nothing is priced', async ({ page }) => {
  // Reset showed Express's smallest bill ($0.0000011) for the execution not yet started (a QA pass).
  const errors = await open(page);
  await runToEnd(page);
  await expect(page.getByTestId('cost-express')).not.toHaveText('$0');
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('status')).toHaveText('READY');
  await expect(page.getByTestId('cost-standard')).toHaveText('$0');
  await expect(page.getByTestId('cost-express')).toHaveText('$0');
  await expect(page.getByTestId('transitions')).toHaveText('0');
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('cost')).toContainText('Run or step to see what an execution would cost');
  // No time either, as on a fresh page: Back to step 0 showed the start time (a QA pass).
  await expect(page.getByTestId('virtual-clock')).toHaveText('—');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('virtual-clock')).toContainText('+0s');
  await page.getByTestId('back').click();
  await expect(page.getByTestId('status')).toHaveText('READY');
  await expect(page.getByTestId('virtual-clock')).toHaveText('—');
  expect(errors).toEqual([]);
});

test('a machine Express refuses has no Express price, and the cost says why', async ({ page }) => {
  const errors = await open(page);
  // It was priced as Express although a run with the Express type is refused.
  const resource = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
  await load(page, { definition: { StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: resource, End: true } } } });
  await runToEnd(page);
  await expect(page.getByTestId('cost-express')).toHaveText('n/a');
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('cost-express-na')).toBeVisible();
  await expect(page.getByTestId('cost')).toContainText("State 'Ask' cannot run in an Express workflow");
  await expect(page.getByTestId('projection-express')).toHaveText('n/a');
  expect(errors).toEqual([]);
});

test('while playing the status says PLAYING with the step; paused, PAUSED', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'report-runner');
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText(/^PLAYING · step [1-9]\d*$/);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  expect(errors).toEqual([]);
});

test('a speed chosen while playing applies at once', async ({ page }) => {
  // Play kept the speed it started at until paused and played again (a QA pass). At 1 step/s
  // a loop takes about 4 steps in the 4 s below; at 30 it passes 20 even on a loaded machine.
  const errors = await open(page);
  await load(page, { definition: countingLoop(1000), input: { i: 0 } });
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText(/^PLAYING · step [1-9]\d*$/);
  await page.getByTestId('speed').selectOption('30');
  const step = async () => Number(((await page.getByTestId('status').textContent()) || '').replace(/\D+/g, '') || 0);
  await expect.poll(step, { timeout: 4000 }).toBeGreaterThan(20);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  expect(errors).toEqual([]);
});

test('the history table opens at its end and follows new events there; scrolled up, it stays put', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: countingLoop(100), input: { i: 0 } });
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  const table = page.getByTestId('history');
  const row = (id) => page.locator('[data-testid="history-row"]').filter({ has: page.locator('.h-id', { hasText: new RegExp(`^${id}$`) }) });
  await expect(row(404)).toBeInViewport();
  // Back removes the last step's events: the table shows the new last one.
  await page.getByTestId('back').click();
  await expect(table).not.toHaveAttribute('data-count', '404');
  const count = Number(await table.getAttribute('data-count'));
  await expect(row(count)).toBeInViewport();
  await table.evaluate((el) => { el.scrollTop = 0; });
  await expect(row(1)).toBeInViewport();
  await page.getByTestId('back').click();
  await expect(table).not.toHaveAttribute('data-count', String(count));
  await expect(row(1)).toBeInViewport();
  expect(errors).toEqual([]);
});

test('the cost projection says when what was typed is not a number of executions', async ({ page }) => {
  const errors = await open(page);
  await runToEnd(page);
  await page.getByTestId('tab-cost').click();
  await page.getByTestId('projection-executions').fill('1000');
  const standard = await page.getByTestId('projection-standard').textContent();
  await page.getByTestId('projection-executions').fill('1.5');
  await expect(page.getByTestId('projection-note')).toContainText('the projection is for 1000');
  await expect(page.getByTestId('projection-standard')).toHaveText(standard);
  await page.getByTestId('projection-executions').fill('2000');
  await expect(page.getByTestId('projection-note')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('an edit that draws the same machine leaves the graph\'s nodes alone', async ({ page }) => {
  const errors = await open(page);
  const states = {};
  for (let i = 0; i < 100; i++) states[`S${i}`] = i < 99 ? { Type: 'Pass', Result: { i }, Next: `S${i + 1}` } : { Type: 'Succeed' };
  await load(page, { definition: { StartAt: 'S0', States: states } });
  const node = page.getByTestId('graph-node').first();
  await expect(page.getByTestId('graph-node')).toHaveCount(100);
  await node.evaluate((el) => { el.__mark = true; });
  // A Result's value changes, not the drawing: every node was drawn again on each keystroke
  // (2,000 states took a third of a second per key: a QA pass).
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+End');
  // Broken, then mended: two checks, the second of the same drawing (the first keeps the old).
  const problems = page.locator('.problems');
  await page.keyboard.type(' x');
  await expect(problems).toContainText('1 error');
  await page.evaluate(() => {
    window.__nodeMutations = 0;
    new MutationObserver((records) => {
      window.__nodeMutations += records.filter((r) => r.target.closest?.('[data-testid="graph-node"]')).length;
    }).observe(document.querySelector('[data-testid="graph-node"]').closest('svg'), { subtree: true, attributes: true, childList: true, characterData: true });
  });
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await expect(problems).toContainText('0 errors');
  await page.waitForTimeout(300);
  expect(await node.evaluate((el) => el.__mark === true)).toBe(true);
  expect(await page.evaluate(() => window.__nodeMutations)).toBe(0);
  // A change that is drawn does redraw.
  await setEditor(page, 'definition', JSON.stringify({ StartAt: 'Only', States: { Only: { Type: 'Succeed' } } }));
  await expect(page.getByTestId('graph-node')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a timeline bar of a Map iteration says which iteration it is', async ({ page }) => {
  const errors = await open(page);
  const ex = example('map-concurrency');
  await load(page, { definition: ex.definition, input: ex.input, stubs: ex.stubs || {} });
  await runToEnd(page);
  await page.getByTestId('tab-timeline').click();
  // Iterations' bars read alike without it ("Pack: +5m 7s → +5m 12s" three times: a QA pass).
  const labels = await page.getByTestId('timeline').getByTestId('timeline-bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label')));
  const inIterations = labels.filter((l) => / in \S+#\d+/.test(l));
  expect(inIterations.length).toBeGreaterThan(1);
  expect(new Set(inIterations).size).toBe(inIterations.length);
  expect(errors).toEqual([]);
});

test('keyboard: the timeline is one Tab stop; the arrows, Home and End move between its bars', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: countingLoop(50), input: { i: 0 } });
  await runToEnd(page);
  await page.getByTestId('tab-timeline').click();
  const bars = page.getByTestId('timeline').getByTestId('timeline-bar');
  await expect(bars).toHaveCount(101);
  // Only the latest visit's bar is in the Tab order.
  await expect(page.getByTestId('timeline').locator('[data-testid="timeline-bar"][tabindex="0"]')).toHaveCount(1);
  const stop = page.getByTestId('timeline').locator('[data-testid="timeline-bar"][tabindex="0"]');
  await expect(stop).toHaveAttribute('data-state', 'Done');
  await stop.focus();
  const focused = () => page.evaluate(() => document.activeElement?.id);
  await page.keyboard.press('Home');
  expect(await focused()).toBe('tl-bar-0');
  await page.keyboard.press('ArrowRight');
  expect(await focused()).toBe('tl-bar-1');
  await page.keyboard.press('ArrowDown');
  expect(await focused()).toBe('tl-bar-2');
  await page.keyboard.press('ArrowUp');
  expect(await focused()).toBe('tl-bar-1');
  await page.keyboard.press('End');
  expect(await focused()).toBe('tl-bar-100');
  // Enter goes to the visit, and the bar keeps the focus.
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  await expect.poll(focused).toBe('tl-bar-99');
  expect(errors).toEqual([]);
});

test('timeline: a long loop of instant states shows its latest visits, not its first', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: countingLoop(1000), input: { i: 0 } });
  await runToEnd(page);
  await page.getByTestId('tab-timeline').click();
  // 2,001 visits at the same virtual moment: each bar is moved just after the one before, so only
  // the latest few hundred fit, and those are the ones drawn (ending with Done, at the right).
  await expect(page.getByTestId('timeline-partial')).toHaveText(/^Showing the latest \d+ of 2001 visits/);
  const stop = page.getByTestId('timeline').locator('[data-testid="timeline-bar"][tabindex="0"]');
  await expect(stop).toHaveAttribute('id', 'tl-bar-2000');
  await expect(stop).toHaveAttribute('data-state', 'Done');
  const xs = await page.getByTestId('timeline').locator('[data-testid="timeline-bar"] rect').evaluateAll(
    (rects) => rects.map((r) => Number(r.getAttribute('x')) + Number(r.getAttribute('width'))));
  expect(xs.length).toBeGreaterThan(100);
  expect(xs.length).toBeLessThan(400);
  expect(Math.max(...xs)).toBeLessThanOrEqual(900);
  expect(errors).toEqual([]);
});

test('keyboard: the graph is one Tab stop; the arrows, Home and End move between states in reading order', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'report-runner');
  // Choosing the example gives the focus back to the Examples button first.
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('open-examples');
  const nodes = page.getByTestId('graph').getByTestId('graph-node');
  const stops = page.getByTestId('graph').locator('[data-testid="graph-node"][tabindex="0"]');
  await expect(stops).toHaveCount(1);
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-state'));
  // Both tops in one read of the page.
  const tops = (names) => page.getByTestId('graph').evaluate((g, ns) =>
    ns.map((n) => g.querySelector(`[data-testid="graph-node"][data-state="${n}"]`).getBoundingClientRect().y), names);
  await stops.focus();
  const first = await focused();
  await page.keyboard.press('ArrowDown');
  const second = await focused();
  expect(second).not.toBe(first);
  const [y1, y2] = await tops([first, second]);
  expect(y2).toBeGreaterThanOrEqual(y1);
  await page.keyboard.press('End');
  const last = await focused();
  const ys = await nodes.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().y));
  expect((await tops([last]))[0]).toBeGreaterThanOrEqual(Math.max(...ys) - 1);
  await page.keyboard.press('Home');
  expect(await focused()).toBe(first);
  // Enter opens the state; it becomes the graph's Tab stop.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-panel')).toBeVisible();
  await expect(stops).toHaveAttribute('data-state', second);
  expect(errors).toEqual([]);
});

test('outside us-east-1 the cost panel says its Express prices are us-east-1\'s', async ({ page }) => {
  const errors = await open(page);
  await runToEnd(page);
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('express-region-note')).toHaveCount(0);
  const before = await page.getByTestId('cost-standard').textContent();
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('region').selectOption('sa-east-1');
  // Prices do not change what ran: the panel shows the region chosen now, without a new run.
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('cost')).toContainText('(sa-east-1)');
  await expect(page.getByTestId('express-region-note')).toContainText("us-east-1's Express prices");
  // The strip above prices it alike (it kept the run's region: a QA pass).
  const panel = await page.getByTestId('cost-panel-standard').textContent();
  expect(panel).not.toBe(before);
  await expect(page.getByTestId('cost-standard')).toHaveText(panel);
  await runToEnd(page);
  await page.getByTestId('tab-cost').click();
  await expect(page.getByTestId('express-region-note')).toContainText("us-east-1's Express prices");
  expect(errors).toEqual([]);
});

test('a Distributed Map\'s Express children are priced at Express rates, apart from the transitions', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'distributed-map');
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await page.getByTestId('tab-cost').click();
  // Three batches, three Express child executions: their states are not in the per-state rows.
  await expect(page.getByTestId('express-children')).toContainText('for 3 Express child executions, at Express rates');
  await expect(page.getByTestId('cost').getByTestId('cost-row')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('Step past the end keeps the finished execution; edits that do not check are not said to have started', async ({ page }) => {
  const errors = await open(page);
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await page.getByTestId('tab-history').click();
  const count = await page.getByTestId('history').getAttribute('data-count');
  // One press too many: the execution stays, and the page says why nothing moved.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('notice')).toContainText('The execution has ended');
  await page.keyboard.press('F10');
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('history')).toHaveAttribute('data-count', count);
  // Play (F9) at the end plays it again from the start, and says so (it did so without a word).
  await page.keyboard.press('F9');
  await expect(page.getByTestId('notice')).toContainText('The execution had ended: started a new one from the beginning.');
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('history')).toHaveAttribute('data-count', count);
  // Back still goes through it.
  await page.getByTestId('back').click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  // A definition broken while paused: Step shows why it cannot start, and claims no new start.
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('x');
  // The reason is on the Output tab, which is shown whichever tab was open (a QA note).
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('step').click();
  await expect(page.getByTestId('status')).toHaveText('NOT STARTED');
  await expect(page.getByTestId('tab-output')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-error')).toContainText('The definition has 1 error');
  // (The notice of the step before is gone too: the next action takes it away.)
  await expect(page.getByTestId('notice').filter({ hasText: 'started a new execution' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a run that cannot start while the History tab is open shows why, without breaking', async ({ page }) => {
  // It panicked ("a reactive value that has already been disposed") when the Output tab took
  // the History tab's place: a QA pass.
  const errors = await open(page);
  const console = [];
  page.on('console', (m) => { if (m.type() === 'error') console.push(m.text()); });
  await page.getByTestId('tab-history').click();
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.insertText('x');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('tab-output')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-error')).toContainText('The definition has');
  // Mid-run too: a paused execution, a broken definition, Step.
  await page.keyboard.press('ControlOrMeta+z');
  await page.getByTestId('step').click();
  await page.getByTestId('step').click();
  await page.getByTestId('tab-history').click();
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.insertText('x');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('run-error')).toContainText('The definition has');
  await expect(page.getByTestId('crash-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
  expect(console).toEqual([]);
});

test('keyboard: a control that goes away with its action hands the focus on', async ({ page }) => {
  const errors = await open(page);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  // "+ all" stubs the Tasks: the bar goes, the Stubs tab (now shown) takes the focus.
  await load(page, {
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:f', End: true } } },
  });
  // The helper offers the new machine's Task once the edit is checked (before, the old one's).
  await expect(page.getByTestId('stub-helper').locator('[data-state="T"]')).toBeVisible();
  await page.getByTestId('add-all-stubs').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('stub-helper')).toHaveCount(0);
  await expect.poll(focused).toBe('tab-stubs');
  // An Export item chosen from the keyboard: the menu goes, its button takes the focus back.
  await page.getByTestId('export').focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(focused).toBe('export-history');
  await page.keyboard.press('End');
  await expect.poll(focused).toBe('export-yaml');
  await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  await expect.poll(focused).toBe('export');
  // Back at the first step disables itself: Step takes the focus.
  await page.getByTestId('step').click();
  await page.getByTestId('back').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('back')).toBeDisabled();
  await expect.poll(focused).toBe('step');
  // A notice dismissed: the toolbar above it takes the focus.
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="report-runner"]').click();
  await page.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await expect.poll(focused).toBe('run');
  // Run and Run to breakpoint are disabled while they go (a QA pass: the focus fell to the
  // page): each has it back at the end.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).toHaveText(/SUCCEEDED/);
  await expect(page.getByTestId('run')).toBeEnabled();
  await expect.poll(focused).toBe('run');
  await page.getByTestId('reset').click();
  await page.getByTestId('run-to-breakpoint').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).not.toHaveText('READY');
  await expect(page.getByTestId('run-to-breakpoint')).toBeEnabled();
  await expect.poll(focused).toBe('run-to-breakpoint');
  // Stop disables itself when pressed, and when Play reaches the end with the focus on it (a QA
  // pass: the focus fell to the page): Play takes the focus.
  await load(page, { definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } } });
  await page.getByTestId('play').click();
  await page.getByTestId('stop').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('stop')).toBeDisabled();
  await expect.poll(focused).toBe('play');
  // Long enough to still be playing when Stop takes the focus.
  const chain = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`S${i}`, i < 29 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Succeed' }]));
  await load(page, { definition: { StartAt: 'S0', States: chain } });
  // (At 10 steps a second, three seconds: a stalled test process let it finish before Stop was
  // focused at 30.)
  await page.getByTestId('speed').selectOption('10');
  await page.getByTestId('play').click();
  await page.getByTestId('stop').focus();
  await expect(page.getByTestId('stop')).toBeFocused();
  await expect(page.getByTestId('status')).toHaveText(/SUCCEEDED|FAILED/);
  await expect(page.getByTestId('stop')).toBeDisabled();
  await expect.poll(focused).toBe('play');
  expect(errors).toEqual([]);
});

test('stepping through a long chain of Pass states keeps the state reached in view', async ({ page }) => {
  const errors = await open(page);
  const states = {};
  for (let i = 0; i < 60; i++) {
    const name = `S${String(i).padStart(3, '0')}`;
    states[name] = i === 59 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${String(i + 1).padStart(3, '0')}` };
  }
  await load(page, { definition: { StartAt: 'S000', States: states } });
  await expect(node(page, 'S059')).toHaveCount(1);
  for (let i = 0; i < 40; i++) await page.getByTestId('step-over').click();
  await expect(node(page, 'S039')).toHaveAttribute('data-status', 'visited');
  // The graph panned to it: the node is inside the graph's box.
  await expect.poll(async () => {
    const [g, n] = [await page.getByTestId('graph').boundingBox(), await node(page, 'S039').boundingBox()];
    return n.y >= g.y && n.y + n.height <= g.y + g.height;
  }).toBe(true);
  expect(errors).toEqual([]);
});

test('the cost table adds up: a Distributed Map\'s Standard children started have a row', async ({ page }) => {
  const errors = await open(page);
  await load(page, {
    definition: { StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$.items', End: true,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } } } },
    input: { items: [1, 2, 3] },
  });
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await page.getByTestId('tab-cost').click();
  // M and three P states (1 + 3), and the three child executions started: 7 in all.
  await expect(page.getByTestId('cost-row-children')).toContainText('Child executions started3');
  const counts = await page.getByTestId('cost-by-state').locator('tbody tr td.num:not(.mono)').allTextContents();
  expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(7);
  expect(errors).toEqual([]);
});

test('the history\'s selected event stays in view when its details open below the table', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = await open(page);
  await load(page, { definition: countingLoop(100), input: { i: 0 } });
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  // Scrolled to its end, as it opens: the last row is at the bottom of the table.
  const last = page.getByTestId('history-row').filter({ hasText: 'ExecutionSucceeded' });
  await last.click();
  await expect(page.getByTestId('event-details')).toBeVisible();
  await expect.poll(async () => {
    const [box, row] = [await page.getByTestId('history').boundingBox(), await last.boundingBox()];
    return row !== null && row.y >= box.y - 1 && row.y + row.height <= box.y + box.height + 1;
  }).toBe(true);
  expect(errors).toEqual([]);
});
