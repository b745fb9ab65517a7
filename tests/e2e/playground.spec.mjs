// Playground, part 1: edit, stub, run, and read the result.
import { test, expect } from '@playwright/test';
import { open, setEditor, editorText, load, runToEnd, output, example, repoFile, countingLoop } from './helpers.mjs';
import { mkdirSync } from 'node:fs';

// README screenshots are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to test-results.
const shots = process.env.UPDATE_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : new URL('test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

test('a broken definition shows located diagnostics; fixed, it runs with output, cost and history', async ({ page }) => {
  const errors = await open(page);
  const broken = `{
  "StartAt": "Greet",
  "States": {
    "Greet": { "Type": "Pass", "Result": {"hi": "there"}, "Next": "Missing" },
    "Done": { "Type": "Succeed", "TimeoutSeconds": 3 }
  }
}`;
  await setEditor(page, 'definition', broken);
  await setEditor(page, 'input', '{"name": "Ada"}');
  await setEditor(page, 'stubs', '{}');
  await page.getByTestId('tab-definition').click();
  const diags = page.getByTestId('diagnostics').getByTestId('diagnostic');
  await expect(diags.filter({ hasText: "Missing 'Next' target: Missing" })).toHaveCount(1);
  await expect(diags.filter({ hasText: "Field 'TimeoutSeconds' is not supported" })).toContainText('definition 5:');
  // The editor underlines the problems.
  await expect(page.getByTestId('definition-editor').locator('.cm-lintRange-error').first()).toBeVisible();
  // Clicking a problem moves the cursor there.
  await diags.filter({ hasText: 'TimeoutSeconds' }).locator('button').click();
  await expect(page.getByTestId('definition-editor').locator('.cm-activeLine')).toContainText('TimeoutSeconds');
  // Running now explains why it cannot start.
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('NOT STARTED');
  await expect(page.getByTestId('run-error')).toContainText('error');

  await setEditor(page, 'definition', broken.replace('"Missing"', '"Done"').replace(', "TimeoutSeconds": 3', ''));
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await expect(page.getByTestId('definition-editor').locator('.cm-lintRange-error')).toHaveCount(0);
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(page)).toEqual({ hi: 'there' });
  await expect(page.getByTestId('transitions')).toHaveText('2');
  await expect(page.getByTestId('cost-standard')).toHaveText('$0.00005');
  await expect(page.getByTestId('cost-express')).toContainText('$0.00000');
  await page.getByTestId('tab-history').click();
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(0)).toContainText('ExecutionStarted');
  await expect(rows.nth(5)).toContainText('ExecutionSucceeded');
  await rows.nth(1).click();
  await expect(page.getByTestId('event-details')).toContainText('"stateEnteredEventDetails"');
  // Its payload is shown as a tree too (AWS writes it as one line of escaped JSON).
  const payload = page.getByTestId('event-details').getByTestId('event-payload');
  await expect(payload).toHaveAttribute('data-name', 'input');
  expect(JSON.parse(await payload.locator('.json-view').getAttribute('data-json'))).toEqual({ name: 'Ada' });
  await rows.nth(0).click();
  await expect(page.getByTestId('event-details').getByTestId('event-payload')).toHaveCount(1);
  expect(errors).toEqual([]);
  await page.getByTestId('tab-definition').click();
  await page.screenshot({ path: `${shots}playground.png` });
});

test('a failing execution shows its error and cause, and unstubbed tasks are marked', async ({ page }) => {
  await open(page);
  const ex = example('library-loan');
  await load(page, { definition: ex.definition, input: ex.input, stubs: { CheckReturned: ex.stubs.CheckReturned } });
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('start-time').fill(ex.start_time);
  await page.getByTestId('start-time').press('Tab');
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  await expect(page.getByTestId('error')).toHaveText('LoanOverdue');
  await expect(page.getByTestId('cause')).toHaveText('The book was not returned by its due date.');
  await expect(page.getByTestId('virtual-clock')).toContainText('2026-01-15 09:00:00 UTC · +14d');
  await expect(page.getByTestId('unstubbed')).toContainText('ConfirmCheckout');
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('unstubbed-badge').first()).toBeVisible();
});

test('the Input and Stubs editors start when their tab first shows, holding the session', async ({ page }) => {
  await open(page);
  await setEditor(page, 'input', '{"lazy": 1}');
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  // Only the editor in view exists at start-up; the others are CodeMirror-less placeholders.
  await expect(page.getByTestId('input-editor').locator('.cm-content')).toHaveCount(0);
  await expect(page.getByTestId('stubs-editor').locator('.cm-content')).toHaveCount(0);
  await page.getByTestId('tab-input').click();
  await expect(page.getByTestId('input-editor').locator('.cm-content')).toHaveText('{"lazy": 1}');
  // Once started an editor stays, with its edits, when another tab shows.
  await page.getByTestId('tab-definition').click();
  await expect(page.getByTestId('input-editor').locator('.cm-content')).toBeHidden();
  await expect(page.getByTestId('input-editor').locator('.cm-content')).toHaveCount(1);
  await setEditor(page, 'input', '{"lazy": 2}');
  await page.getByTestId('tab-stubs').click();
  await page.getByTestId('tab-input').click();
  await expect(page.getByTestId('input-editor').locator('.cm-content')).toHaveText('{"lazy": 2}');
});

test('the stub helper adds a skeleton for each Task state', async ({ page }) => {
  await open(page);
  const ex = example('pdf-transform');
  await load(page, { definition: ex.definition, input: ex.input, stubs: {} });
  await expect(page.getByTestId('stub-helper').getByTestId('add-stub')).toHaveCount(4);
  await page.getByTestId('stub-helper').locator('[data-state="Convert"]').click();
  expect(JSON.parse(await editorText(page, 'stubs'))).toEqual({ Convert: { Return: {} } });
  await page.getByTestId('add-all-stubs').click();
  expect(Object.keys(JSON.parse(await editorText(page, 'stubs')))).toEqual(['Convert', 'Transform', 'Thumbnail', 'Rollback']);
  await expect(page.getByTestId('stub-helper')).toHaveCount(0);
});

test('a serverless.yml is found, run, and matches the JSON example', async ({ page }) => {
  await open(page);
  const ex = example('pdf-transform');
  await load(page, { definition: repoFile('www/examples/pdf-transform.serverless.yml'), input: ex.input, stubs: ex.stubs });
  await expect(page.getByTestId('doc-kind')).toHaveText('serverless.yml · YAML');
  // The editor follows what the text is: YAML typed in place of JSON is parsed as YAML.
  const tree = () => page.evaluate(() => window.StatelabEditor.treeOf('definition'));
  expect(await tree()).toBe('Stream');
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(page)).toEqual(ex.expect.output);
  await expect(page.getByTestId('transitions')).toHaveText(String(ex.expect.billable_transitions));
  await expect(page.getByTestId('virtual-clock')).toContainText('+30s');
  await setEditor(page, 'definition', JSON.stringify(ex.definition));
  await expect.poll(tree).toBe('JsonText');
});

test('an infinite loop ends cleanly: history limit, step budget, and Stop', async ({ page }) => {
  const errors = await open(page);
  const loop = {
    StartAt: 'Spin',
    States: {
      Spin: { Type: 'Pass', Next: 'Again' },
      Again: { Type: 'Choice', Choices: [{ Variable: '$', IsPresent: true, Next: 'Spin' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
  await load(page, { definition: loop });
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  await expect(page.getByTestId('cause')).toContainText('maximum number of history events (25000)');
  // A smaller step budget stops it first, and says how to change it.
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('max-steps').fill('500');
  await page.getByTestId('max-steps').press('Tab');
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('ABORTED');
  await expect(page.getByTestId('error')).toHaveText('Statelab.StepBudgetExhausted');
  await expect(page.getByTestId('cause')).toContainText('step budget');
  // Play, then Stop: the execution pauses where it is.
  await page.getByTestId('speed').selectOption('30');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('stop')).toBeEnabled();
  await page.waitForTimeout(300);
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  await expect(page.getByTestId('stop')).toBeDisabled();
  // The page is still usable.
  await page.getByTestId('step').click();
  await expect(page.getByTestId('status')).toHaveText('PAUSED');
  expect(errors).toEqual([]);
});

test('a reload restores the definition, input, stubs and settings', async ({ page }) => {
  await open(page);
  await load(page, { definition: example('hello-world').definition, input: { name: 'reload' }, stubs: { HelloWorld: { Return: 1 } } });
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('workflow-type').selectOption('EXPRESS');
  await page.getByTestId('seed').fill('42');
  await page.getByTestId('seed').press('Tab');
  const before = {
    definition: await editorText(page, 'definition'),
    input: await editorText(page, 'input'),
    stubs: await editorText(page, 'stubs'),
  };
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(await editorText(page, 'definition')).toBe(before.definition);
  expect(await editorText(page, 'input')).toBe(before.input);
  expect(await editorText(page, 'stubs')).toBe(before.stubs);
  // The settings tab was the one shown: it still is.
  await expect(page.getByTestId('tab-settings')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('workflow-type')).toHaveValue('EXPRESS');
  await expect(page.getByTestId('seed')).toHaveValue('42');
});

test('a seed or step budget typed with a decimal point stays as typed until the field is left, then is refused with a note', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('tab-settings').click();
  for (const [field, note, kept] of [['seed', 'seed-note', '2'], ['max-steps', 'max-steps-note', '2']]) {
    await page.getByTestId(field).click();
    await page.keyboard.press('ControlOrMeta+a');
    // Key by key, as a person types: the number field's value was written back as it was typed,
    // which put the caret at its start, so this read "52" (a QA pass).
    await page.keyboard.type('2.5');
    await expect(page.getByTestId(field)).toHaveValue('2.5');
    await page.keyboard.press('Tab');
    await expect(page.getByTestId(field)).toHaveValue(kept);
    await expect(page.getByTestId(note)).toContainText(`stays ${kept}`);
  }
  expect(errors).toEqual([]);
});

test('a reload keeps the panel shown, the play speed and the cost heat', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('tab-history').click();
  await page.getByTestId('speed').selectOption('10');
  await page.getByTestId('cost-heat').check();
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(page.getByTestId('tab-history')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('speed')).toHaveValue('10');
  await expect(page.getByTestId('cost-heat')).toBeChecked();
  // A setting typed, its field not yet left, is kept too.
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('seed').fill('99');
  await page.getByTestId('max-steps').focus();
  await page.getByTestId('max-steps').fill('777');
  await page.reload();
  await expect(page.getByTestId('tab-settings')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('seed')).toHaveValue('99');
  await expect(page.getByTestId('max-steps')).toHaveValue('777');
  expect(errors).toEqual([]);
});

test('keyboard: the tabs follow the ARIA tabs pattern (arrows, Home, End; only the selected one in the Tab order)', async ({ page }) => {
  const errors = await open(page);
  const results = page.getByRole('tablist', { name: 'Execution views' });
  const selected = results.locator('[role="tab"][aria-selected="true"]');
  await page.getByTestId('tab-output').focus();
  await page.keyboard.press('ArrowRight');
  await expect(selected).toHaveText('Inspector');
  await expect(page.getByTestId('tab-inspector')).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Inspector' })).toBeVisible();
  await page.keyboard.press('End');
  await expect(selected).toHaveText('Settings');
  await expect(page.getByTestId('seed')).toBeVisible();
  // What the seed does is on the page and read with the field, not in a hover-only tooltip.
  await expect(page.getByTestId('seed')).toHaveAccessibleDescription(/the same seed gives the same run/);
  await expect(page.locator('#seed-hint')).toBeVisible();
  await page.keyboard.press('ArrowRight'); // wraps round
  await expect(selected).toHaveText('Output');
  await page.keyboard.press('ArrowLeft');
  await expect(selected).toHaveText('Settings');
  await page.keyboard.press('Home');
  await expect(page.getByTestId('tab-output')).toBeFocused();
  await expect(page.getByTestId('tab-output')).toHaveAttribute('tabindex', '0');
  await expect(page.getByTestId('tab-history')).toHaveAttribute('tabindex', '-1');
  // The editors' tabs: the editor shown follows.
  await page.getByTestId('tab-definition').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-input')).toBeFocused();
  await expect(page.getByTestId('tab-input')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('input-editor')).toBeVisible();
  await expect(page.getByTestId('definition-editor')).toBeHidden();
  await page.keyboard.press('End');
  await expect(page.getByTestId('stubs-editor')).toBeVisible();
  await expect(page.getByRole('tabpanel', { name: 'Stubs' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('Escape, or a press outside, closes the examples, the export menu and the share link; Escape gives the focus back', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('open-examples').click();
  await expect(page.getByTestId('example').first()).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('examples')).toBeHidden();
  await expect(page.getByTestId('open-examples')).toBeFocused();
  await page.getByTestId('export').click();
  await expect(page.getByTestId('export-json')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-json')).toBeHidden();
  await expect(page.getByTestId('export')).toBeFocused();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-link')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-link')).toBeHidden();
  await expect(page.getByTestId('share')).toBeFocused();
  // Nothing else happened: no run was started or stopped, the session is as it was.
  await expect(page.getByTestId('status')).toHaveText('READY');
  // A press outside a popover closes it too; one inside does not.
  await page.getByTestId('open-examples').click();
  await expect(page.getByTestId('examples')).toBeVisible();
  await page.getByTestId('virtual-clock').click();
  await expect(page.getByTestId('examples')).toBeHidden();
  await page.getByTestId('export').click();
  await page.getByTestId('graph').click({ position: { x: 20, y: 20 } });
  await expect(page.getByTestId('export-json')).toBeHidden();
  await page.getByTestId('share').click();
  await page.getByTestId('share-link').click();
  await expect(page.getByTestId('share-link')).toBeVisible();
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await expect(page.getByTestId('share-link')).toBeHidden();
  expect(errors).toEqual([]);
});

test('results from before an edit are marked until the next run; a breakpoint is not an edit', async ({ page }) => {
  const errors = await open(page);
  await runToEnd(page);
  const stale = page.getByTestId('stale');
  await expect(stale).toHaveCount(0);
  // A breakpoint only says where to pause: the results still describe the session.
  await page.getByTestId('graph').locator('[data-state="IsPolite"]').click();
  await page.getByTestId('toggle-breakpoint').click();
  await expect(stale).toHaveCount(0);
  await setEditor(page, 'input', '{"name": "Grace"}');
  await expect(stale).toBeVisible();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await runToEnd(page);
  await expect(stale).toHaveCount(0);
  expect((await output(page)).name).toBe('Grace');
  expect(errors).toEqual([]);
});

test('the "edited since" mark does not move the page', async ({ page }) => {
  // Beside the status it made the strip wrap onto a second line while playing (a QA pass, at
  // 1400 px): the graph below jumped 52 px down and back.
  await page.setViewportSize({ width: 1400, height: 900 });
  const errors = await open(page);
  const loop = { StartAt: 'W', States: {
    W: { Type: 'Wait', Seconds: 10, Next: 'C' },
    C: { Type: 'Choice', Choices: [{ Variable: '$.done', IsPresent: true, Next: 'D' }], Default: 'W' },
    D: { Type: 'Succeed' },
  } };
  await load(page, { definition: loop });
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toHaveText(/PLAYING/);
  const height = () => page.locator('.summary').evaluate((el) => el.getBoundingClientRect().height);
  const before = await height();
  await setEditor(page, 'input', '{"edited": true}');
  await expect(page.getByTestId('stale')).toBeVisible();
  await expect(page.getByTestId('status')).toHaveText(/PLAYING/);
  expect(await height()).toBe(before);
  await page.getByTestId('play').click();
  expect(errors).toEqual([]);
});

test('keyboard: Ctrl+Enter runs, and does not also edit the text it was pressed in', async ({ page }) => {
  await open(page);
  const before = await editorText(page, 'definition');
  await page.getByTestId('definition-editor').locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  // CodeMirror's own Ctrl+Enter (insert a blank line) ran too: inside a YAML block scalar that
  // changed the data (a QA pass).
  await page.keyboard.press('Control+Enter');
  expect(await editorText(page, 'definition')).toBe(before);
  await expect(page.getByTestId('stale')).toHaveCount(0);
});

test('in the dark theme the editor\'s syntax colours are readable (4.5:1 or more)', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page);
  await setEditor(page, 'definition', '{"StartAt": "A", "Comment": "text", "States": {"A": {"Type": "Pass", "Result": [true, null, 12], "End": true}}}');
  const ratios = await page.evaluate(() => {
    const lum = (css) => {
      const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const content = document.querySelector('[data-testid="definition-editor"] .cm-content');
    // The first opaque background behind the text.
    let el = content;
    while (el && /rgba\(.*, 0\)$|transparent/.test(getComputedStyle(el).backgroundColor)) el = el.parentElement;
    const bg = lum(getComputedStyle(el || document.body).backgroundColor);
    const out = {};
    for (const span of content.querySelectorAll('span')) {
      const fg = lum(getComputedStyle(span).color);
      const [hi, lo] = fg > bg ? [fg, bg] : [bg, fg];
      out[span.textContent] = Math.round(((hi + 0.05) / (lo + 0.05)) * 10) / 10;
    }
    return out;
  });
  for (const token of ['true', 'null', '12', '"text"']) {
    expect(ratios[token], `${token} in ${JSON.stringify(ratios)}`).toBeGreaterThanOrEqual(4.5);
  }
});

test('keyboard: an example chosen from the list gives the focus back to the Examples button', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('open-examples').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('examples')).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('examples')).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('open-examples');
  expect(errors).toEqual([]);
});

test('the definition\'s format is shown on the Definition tab only', async ({ page }) => {
  const errors = await open(page);
  await expect(page.getByTestId('doc-kind')).toHaveText('ASL · JSON');
  await page.getByTestId('tab-input').click();
  await expect(page.getByTestId('doc-kind')).toHaveCount(0);
  await page.getByTestId('tab-definition').click();
  await expect(page.getByTestId('doc-kind')).toHaveText('ASL · JSON');
  expect(errors).toEqual([]);
});

test('a step budget of 0 becomes 1 and says so', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('max-steps').fill('0');
  await page.getByTestId('max-steps').press('Tab');
  await expect(page.getByTestId('max-steps')).toHaveValue('1');
  await expect(page.getByTestId('max-steps-note')).toContainText('at least one step');
  await page.getByTestId('max-steps').fill('500');
  await page.getByTestId('max-steps').press('Tab');
  await expect(page.getByTestId('max-steps-note')).toHaveCount(0);
  // A budget that cannot be leaves it as it was, and the field shows it.
  await page.getByTestId('max-steps').fill('-5');
  await page.getByTestId('max-steps').press('Tab');
  await expect(page.getByTestId('max-steps')).toHaveValue('500');
  await expect(page.getByTestId('max-steps-note')).toContainText('the budget stays 500');
  expect(errors).toEqual([]);
});

test('a stub for a state that does not exist is a warning at its key', async ({ page }) => {
  const errors = await open(page);
  await load(page, { definition: example('hello-world').definition, stubs: { HelloWrold: { Return: 1 } } });
  const warning = page.locator('[data-testid="diagnostic"][data-code="UNUSED_STUB"]');
  await expect(warning).toContainText("No state is named 'HelloWrold'");
  await expect(warning).toContainText('stubs 2:3');
  // Clicking it goes to the key in the Stubs editor.
  await warning.locator('button').first().click();
  await expect(page.getByTestId('tab-stubs')).toHaveAttribute('aria-selected', 'true');
  expect(errors).toEqual([]);
});

test('keyboard: the export menu opens with Down and its items follow the arrows, Home and End', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('export').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('export-history')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('export-mock-config')).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByTestId('export-yaml')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('export-history')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('export-yaml')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export')).toBeFocused();
  expect(errors).toEqual([]);
});

test('Ctrl+Enter in a setting being typed runs with what the field shows', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('seed').fill('12345');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  // The run used the seed as typed: nothing was edited since it started.
  await page.getByTestId('virtual-clock').click();
  await expect(page.getByTestId('seed')).toHaveValue('12345');
  await expect(page.getByTestId('stale')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('with the Express type, a callback Task is an error in the problems list, at its Resource', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="callback"]').click();
  const problem = page.locator('[data-testid="diagnostic"][data-code="EXPRESS_UNSUPPORTED"]');
  await expect(problem).toHaveCount(0);
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('workflow-type').selectOption('EXPRESS');
  await expect(problem.first()).toContainText('cannot run in an Express workflow');
  await expect(problem.first()).toContainText('.waitForTaskToken');
  await page.getByTestId('workflow-type').selectOption('STANDARD');
  await expect(problem).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('with the Express type, a Wait of five minutes or more is warned of, in place of the Standard warning', async ({ page }) => {
  const errors = await open(page);
  await load(page, {
    definition: { StartAt: 'W', TimeoutSeconds: 1000, States: { W: { Type: 'Wait', Seconds: 4000, End: true } } },
  });
  // A QA pass: nothing said the Wait outlasts an Express execution.
  const problem = page.locator('[data-testid="diagnostic"][data-code="STATELAB_WARNING"]');
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText("the state machine's TimeoutSeconds is 1000");
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('workflow-type').selectOption('EXPRESS');
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText('an Express execution runs at most 300 (5 minutes)');
  await page.getByTestId('workflow-type').selectOption('STANDARD');
  await expect(problem).toContainText("the state machine's TimeoutSeconds is 1000");
  expect(errors).toEqual([]);
});

test('a narrow window (down to 320 px) stacks the editors above the execution and never scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 720, height: 760 });
  const errors = await open(page);
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  const widths = () => page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  const [scroll, client] = await widths();
  expect(scroll).toBeLessThanOrEqual(client);
  // The graph sits below the editors, as wide as the window, and its nodes can be scrolled to.
  const editor = await page.getByTestId('definition-editor').boundingBox();
  const graph = await page.getByTestId('graph').boundingBox();
  expect(graph.y).toBeGreaterThan(editor.y + editor.height - 1);
  expect(graph.width).toBeGreaterThan(680);
  await page.getByTestId('graph').locator('[data-testid="graph-node"]').first().scrollIntoViewIfNeeded();
  await expect(page.getByTestId('graph').locator('[data-testid="graph-node"]').first()).toBeInViewport();
  // The history's columns fit too.
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('history-row').first()).toBeVisible();
  expect((await widths())[0]).toBeLessThanOrEqual(client);
  // A phone's width: the tab strip, wider than the window, scrolls by itself; the page does not,
  // and the last tab can be reached.
  await page.setViewportSize({ width: 320, height: 640 });
  const [phone, phoneClient] = await widths();
  expect(phone).toBeLessThanOrEqual(phoneClient);
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('tab-settings')).toBeInViewport();
  await expect(page.getByTestId('seed')).toBeVisible();
  // The timeline is drawn stretched to its panel: on a phone it keeps a readable width and
  // scrolls inside its panel (its labels were squeezed to a third: a QA pass), not the page.
  await page.getByTestId('tab-timeline').click();
  const timeline = page.getByTestId('timeline').locator('svg');
  await expect(timeline).toBeVisible();
  expect((await timeline.boundingBox()).width).toBeGreaterThanOrEqual(640);
  expect((await widths())[0]).toBeLessThanOrEqual(phoneClient);
  // Wide again, side by side.
  await page.setViewportSize({ width: 1280, height: 800 });
  const wide = await page.getByTestId('graph').boundingBox();
  const left = await page.getByTestId('definition-editor').boundingBox();
  expect(wide.x).toBeGreaterThan(left.x + left.width - 1);
  expect(errors).toEqual([]);
});

test('a template that declares its machine Express says so beside the workflow type while the setting differs', async ({ page }) => {
  const errors = await open(page);
  await setEditor(page, 'definition', `Resources:
  Quick:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: W
        States:
          W: {Type: Wait, Seconds: 1, End: true}
`);
  await page.getByTestId('tab-settings').click();
  const note = page.getByTestId('workflow-type-note');
  await expect(note).toHaveText('The template declares this machine Express; runs here use this setting.');
  await page.getByTestId('workflow-type').selectOption('EXPRESS');
  await expect(note).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('two tabs: each keeps its own work through a reload, and a tab is told when another saved over the shared session', async ({ page }) => {
  const errorsA = await open(page);
  const other = await page.context().newPage();
  const errorsB = await open(other);
  await setEditor(page, 'input', '{"written_in": "tab A"}');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('statelab.session.v1'))).toContain('tab A');
  await setEditor(other, 'input', '{"written_in": "tab B"}');
  // Tab A hears of it (it was silent, and a reload of A brought back B's work: a QA pass).
  await expect(page.getByTestId('notice')).toContainText('Another Statelab tab saved its session');
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(JSON.parse(await editorText(page, 'input'))).toEqual({ written_in: 'tab A' });
  // A new tab opens the session saved last (tab A's reload saved it again).
  const third = await page.context().newPage();
  const errorsC = await open(third);
  expect(JSON.parse(await editorText(third, 'input'))).toEqual({ written_in: 'tab A' });
  expect([...errorsA, ...errorsB, ...errorsC]).toEqual([]);
});

test('two tabs at different steps: a reload of each comes back to its own step', async ({ page }) => {
  // The position was one key for all tabs: a reload of A came back at B's step (a QA pass).
  const errorsA = await open(page);
  await load(page, { definition: countingLoop(5), input: { i: 0 } });
  const other = await page.context().newPage();
  const errorsB = await open(other);
  // A third tab of the same session that never steps.
  const third = await page.context().newPage();
  const errorsC = await open(third);
  await expect.poll(() => third.evaluate(() => sessionStorage.getItem('statelab.position'))).toBe('none');
  for (let i = 0; i < 4; i++) await page.getByTestId('step').click();
  const transitions = await page.getByTestId('transitions').textContent();
  await other.getByTestId('step').click();
  await expect(other.getByTestId('transitions')).toHaveText('1');
  await expect.poll(() => other.evaluate(() => localStorage.getItem('statelab.position'))).toMatch(/:1$/);
  await page.reload();
  await expect(page.getByTestId('transitions')).toHaveText(transitions);
  await other.reload();
  await expect(other.getByTestId('transitions')).toHaveText('1');
  // A tab that has not stepped does not come back at another's step either (a review).
  await other.getByTestId('step').click();
  await expect.poll(() => other.evaluate(() => localStorage.getItem('statelab.position'))).toMatch(/:2$/);
  await third.reload();
  await expect(third.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await third.waitForTimeout(300);
  await expect(third.getByTestId('transitions')).toHaveText('0');
  expect([...errorsA, ...errorsB, ...errorsC]).toEqual([]);
});

test('the toolbar keeps its buttons on one row from 1,200 px (a 1,366 px laptop wrapped the last one)', async ({ page }) => {
  const errors = await open(page);
  for (const width of [1200, 1280, 1366, 1440, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    // Every control's middle on one line (buttons and the speed picker differ in height).
    const middles = await page.locator('.toolbar button:visible, .toolbar select:visible').evaluateAll((els) =>
      els.map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; }));
    expect(middles.length).toBeGreaterThan(8);
    expect(Math.max(...middles) - Math.min(...middles), `the toolbar's rows at ${width} px`).toBeLessThan(6);
  }
  expect(errors).toEqual([]);
});

test('on a phone the Examples, Share and Export boxes stay on the screen, and the history keeps state names readable', async ({ page }) => {
  const errors = await open(page);
  for (const width of [320, 390, 720]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [button, box] of [['open-examples', '.gallery'], ['share', '.popover'], ['export', '.menu-list']]) {
      await page.getByTestId(button).click();
      const b = await page.locator(box).boundingBox();
      expect(b.x, `${box} at ${width} px`).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, `${box} at ${width} px`).toBeLessThanOrEqual(width);
      // Nor does what is in them: the Export menu's longest item ran past its box and made the
      // page scroll sideways (a QA pass).
      const overflowing = await page.evaluate((sel) => [...document.querySelectorAll(`${sel} button`)]
        .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth)
        .map((el) => el.textContent), box);
      expect(overflowing, `${box} at ${width} px`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `the page with ${box} at ${width} px`).toBeLessThanOrEqual(width);
      await page.keyboard.press('Escape');
      await expect(page.locator(box)).toHaveCount(0);
    }
  }
  // A Map's events name the state and the iteration: the name comes first and keeps its room.
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="map-concurrency"]').click();
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  for (const width of [390, 960, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    // A row of an iteration (its state cell names the thread), whichever is in view.
    const cell = page.getByTestId('history-row').filter({ has: page.locator('.h-state .thread') }).first().locator('.h-state');
    // The virtualised table draws its rows again for the new size, maybe more than once: a row
    // measured between two draws is gone (CI saw a null box), so poll until one holds still.
    await expect.poll(async () => (await cell.boundingBox())?.width ?? 0, { message: `the state column at ${width} px` })
      .toBeGreaterThanOrEqual(80);
    await expect(cell).toHaveAttribute('title', /^\S+ in /);
  }
  expect(errors).toEqual([]);
});

test('a template with several machines asks which to use, and the graph says when it is not of the definition as it is', async ({ page }) => {
  const errors = await open(page);
  const cfn = `Resources:
  First:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Pass, Result: first, End: true}
  Second:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: B
        States:
          B: {Type: Pass, Result: second, End: true}
`;
  await setEditor(page, 'definition', cfn);
  const picker = page.getByTestId('machine-picker');
  // None is used until one is chosen, so none looks chosen; the graph (still the default
  // definition's) says it is an older one.
  await expect(picker).toHaveValue('');
  await expect(picker.locator('option:checked')).toHaveText('Choose one…');
  // The problem points at the picker (the command line names its --state-machine option).
  await expect(page.locator('[data-testid="diagnostic"][data-code="STATELAB_NO_STATE_MACHINE"]'))
    .toContainText('choose one in the Machine list');
  // So does the reason a run could not start (it stopped at 'choose one': a QA pass).
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-error')).toContainText('choose one in the Machine list');
  await expect(page.getByTestId('graph-stale')).toBeVisible();
  await picker.selectOption('First');
  await expect(page.getByTestId('graph-stale')).toHaveCount(0);
  await expect(page.getByTestId('graph-node')).toHaveCount(1);
  await expect(page.getByTestId('graph-node')).toHaveAttribute('data-state', 'A');
  await runToEnd(page);
  expect(await output(page)).toBe('first');
  // A broken definition: the last good graph stays, marked.
  await setEditor(page, 'definition', '{"StartAt": "X", "States": {');
  await expect(page.getByTestId('graph-stale')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveAttribute('data-state', 'A');
  expect(errors).toEqual([]);
});

// A QA pass: two machines of one name were offered as "same" twice, and picking either asked to
// choose by key, which the list could not do, so neither could run.
test('two machines of one name are told apart and picked by their keys', async ({ page }) => {
  const errors = await open(page);
  await setEditor(page, 'definition', `Resources:
  A: {Type: AWS::StepFunctions::StateMachine, Properties: {StateMachineName: same, Definition: {StartAt: X, States: {X: {Type: Pass, Result: a, End: true}}}}}
  B: {Type: AWS::Serverless::StateMachine, Properties: {Name: same, Definition: {StartAt: X, States: {X: {Type: Pass, Result: b, End: true}}}}}
`);
  const picker = page.getByTestId('machine-picker');
  await expect(picker.locator('option:not([disabled])')).toHaveText(['same (A)', 'same (B)']);
  await picker.selectOption({ label: 'same (B)' });
  await expect(picker.locator('option:checked')).toHaveText('same (B)');
  await expect(page.locator('[data-testid="diagnostic"][data-code="STATELAB_NO_STATE_MACHINE"]')).toHaveCount(0);
  await runToEnd(page);
  expect(await output(page)).toBe('b');
  expect(errors).toEqual([]);
});

test('a MockConfigFile with two machines asks for a test case, lists each machine\'s, and runs the one picked', async ({ page }) => {
  const errors = await open(page);
  const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
  const mock = (a, b) => ({
    StateMachines: { A: { TestCases: { Happy: { T: 'One' }, Sad: { T: 'Two' } } }, [b]: { TestCases: { Only: { T: 'Three' } } } },
    MockedResponses: { One: { 0: { Return: 1 } }, Two: { 0: { Return: 2 } }, Three: { 0: { Return: a } } },
  });
  await load(page, { definition, stubs: mock(3, 'B') });
  await page.getByTestId('tab-settings').click();
  const picker = page.getByTestId('mock-test-case');
  // No machine is settled, so no case looks chosen and the run cannot read one.
  await expect(picker.locator('option:checked')).toHaveText('Choose one…');
  await expect(picker.locator('option:not([disabled])')).toHaveText(['A / Happy', 'A / Sad', 'B / Only']);
  await expect(page.locator('[data-testid="diagnostic"][data-code="INVALID_STUBS"]')).toContainText('several state machines');
  await picker.selectOption({ label: 'B / Only' });
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  expect(await output(page)).toBe(3);
  // Every machine's cases stay offered (the definition names none), B's shown as chosen.
  await page.getByTestId('tab-settings').click();
  await expect(picker.locator('option')).toHaveText(['A / Happy', 'A / Sad', 'B / Only']);
  await expect(picker.locator('option:checked')).toHaveText('B / Only');
  await picker.selectOption({ label: 'A / Sad' });
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  expect(await output(page)).toBe(2);
  await page.getByTestId('tab-settings').click();
  await picker.selectOption({ label: 'B / Only' });
  // The machine B is renamed: the stale choice is not shown as chosen, and the one option left
  // for it can be picked.
  await setEditor(page, 'stubs', JSON.stringify(mock(4, 'C')));
  await page.getByTestId('tab-settings').click();
  await expect(picker.locator('option:checked')).toHaveText('Choose one…');
  await picker.selectOption({ label: 'C / Only' });
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  expect(await output(page)).toBe(4);
  expect(errors).toEqual([]);
});

test('the test-case picker shows the case the run reads, also after the machine is chosen later', async ({ page }) => {
  const errors = await open(page);
  const stubs = {
    StateMachines: {
      Orders: { TestCases: { Shipped: { Ship: 'Ok' }, Lost: { Ship: 'Gone' } } },
      Refunds: { TestCases: { R: {} } },
    },
    MockedResponses: { Ok: { 0: { Return: 'shipped' } }, Gone: { 0: { Return: 'lost' } } },
  };
  await load(page, { definition: repoFile('tests/cases/cli/two-machines.serverless.yml'), stubs });
  await page.getByTestId('tab-settings').click();
  const cases = page.getByTestId('mock-test-case');
  // No machine yet: the case is kept, though none can be shown as read.
  await cases.selectOption({ label: 'Orders / Lost' });
  await expect(cases.locator('option:checked')).toHaveText('Choose one…');
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('machine-picker').selectOption('Orders');
  await page.getByTestId('tab-settings').click();
  // The browser shows what the run reads (it kept showing its first option once changed).
  await expect(cases.locator('option:checked')).toHaveText('Orders / Lost');
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  expect(await output(page)).toBe('lost');
  await page.getByTestId('tab-settings').click();
  await cases.selectOption({ label: 'Orders / Shipped' });
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  expect(await output(page)).toBe('shipped');
  // A machine the MockConfigFile lacks: no case is offered (Orders' were, and picking one
  // changed nothing the run read), and the picker says why.
  await setEditor(page, 'stubs', JSON.stringify({ ...stubs, StateMachines: { Orders: stubs.StateMachines.Orders } }));
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('machine-picker').selectOption('Refunds');
  await page.getByTestId('tab-settings').click();
  await expect(cases.locator('option:checked')).toHaveText('None');
  await expect(page.getByTestId('mock-test-case-note')).toHaveText("The MockConfigFile has no machine 'Refunds', the one the definition runs.");
  await expect(cases.locator('option:not([disabled])')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('in a 1280 x 800 window a history event\'s details can be read below the table', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = await open(page);
  await runToEnd(page);
  await page.getByTestId('tab-history').click();
  const row = page.getByTestId('history-row').nth(5);
  await row.click();
  const details = page.getByTestId('event-details');
  await expect(details).toContainText('"previousEventId"');
  // The table gives way: several lines of the details show, and the selected row stays in view.
  expect((await details.boundingBox()).height).toBeGreaterThan(90);
  await expect(row).toBeInViewport();
  expect(errors).toEqual([]);
});

test('a problem inside a template\'s DefinitionString is shown where it is in the template', async ({ page }) => {
  const errors = await open(page);
  const yaml = [
    'Resources:',
    '  M:',
    '    Type: AWS::StepFunctions::StateMachine',
    '    Properties:',
    '      DefinitionString: |',
    '        {',
    '          "StartAt": "A",',
    '          "States": {',
    '            "A": {"Type": "Pass", "Next": "Z"}',
    '          }',
    '        }',
    '',
  ].join('\n');
  await setEditor(page, 'definition', yaml);
  // Line 9, at "Z" (it was placed at 4:35, the position within the string, before).
  const problem = page.locator('[data-testid="diagnostic"][data-code="MISSING_TRANSITION_TARGET"]');
  await expect(problem).toContainText('definition 9:43');
  expect(errors).toEqual([]);
});

test('Escape closes the topmost layer only; the Examples dialog keeps Tab inside; Close gives the focus back', async ({ page }) => {
  // One Escape closed a menu and also stopped Play; Shift+Tab walked out of the open Examples
  // dialog; a state panel's Close left the focus on the page (a QA pass).
  const errors = await open(page);
  await load(page, { definition: countingLoop(500), input: { i: 0 } });
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('export').click();
  await expect(page.locator('.menu-list')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('.menu-list')).toHaveCount(0);
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'false');

  const focused = () => page.evaluate(() => document.activeElement?.closest('.gallery') !== null);
  await page.getByTestId('open-examples').click();
  await expect(page.getByTestId('examples')).toBeVisible();
  // The page behind the modal dialog takes no shortcuts (F10 stepped it: a review).
  const transitions = await page.getByTestId('transitions').textContent();
  await page.keyboard.press('F10');
  await page.keyboard.press('F10');
  await page.waitForTimeout(200);
  await expect(page.getByTestId('transitions')).toHaveText(transitions);
  await expect(page.getByTestId('examples')).toBeVisible();
  await page.getByTestId('close-examples').focus();
  await page.keyboard.press('Shift+Tab');
  expect(await focused()).toBe(true);
  await page.getByTestId('example').last().focus();
  await page.keyboard.press('Tab');
  expect(await focused()).toBe(true);
  await expect(page.getByTestId('close-examples')).toBeFocused();
  await page.getByTestId('close-examples').click();
  await expect(page.getByTestId('open-examples')).toBeFocused();

  // A state's panel under the Examples dialog: Escape closes the dialog only (both went: review).
  await page.getByTestId('graph').locator('[data-state="Check"]').click();
  await expect(page.getByTestId('node-panel')).toBeVisible();
  await page.getByTestId('open-examples').click();
  await expect(page.getByTestId('examples')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('examples')).toHaveCount(0);
  await expect(page.getByTestId('node-panel')).toBeVisible();
  await page.getByTestId('node-panel-close').click();
  await expect(page.getByTestId('node-panel')).toHaveCount(0);
  await expect(page.getByTestId('graph').locator('[data-state="Check"]')).toBeFocused();
  expect(errors).toEqual([]);
});

test('Undo belongs to the notice that offers it: a later notice in its place drops it', async ({ page }) => {
  // The Undo of an opened example stayed on the export's notice, and undid the example (a QA pass).
  const errors = await open(page);
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="hello-world"]').click();
  await expect(page.getByTestId('undo')).toBeVisible();
  // A second example opened while the first's Undo is offered makes its own offer (it took the
  // second for an edit, and both offer and notice went: a review).
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="state-tour"]').click();
  await expect(page.getByTestId('notice')).toContainText('state');
  await expect(page.getByTestId('undo')).toBeVisible();
  // A debugger action keeps the offer (only an edit ends it).
  await page.getByTestId('step').click();
  await expect(page.getByTestId('undo')).toBeVisible();
  await page.getByTestId('export').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-mock-config').click();
  await download;
  await expect(page.getByTestId('notice')).toContainText('Exported');
  await expect(page.getByTestId('undo')).toHaveCount(0);
  // The offer has ended: an edit now leaves the export's notice alone.
  await setEditor(page, 'input', '{"edited": true}');
  await expect(page.getByTestId('notice')).toContainText('Exported');
  expect(errors).toEqual([]);
});
