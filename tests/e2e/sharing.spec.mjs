// Share links, the example gallery, and teaching aids.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { open, setEditor, editorText, load, runToEnd, output, repoFile, hoverText } from './helpers.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the statelab CLI from the workspace (built by cargo if needed). */
function cli(args) {
  return execFileSync('cargo', ['run', '-q', '-p', 'statelab-cli', '--', ...args], { cwd: root, encoding: 'utf8' });
}

test('a link made by the CLI opens the session, and running it gives the CLI\'s result', async ({ page, baseURL }) => {
  const files = ['www/examples/pdf-transform.serverless.yml', '--input', 'tests/e2e/fixtures/pdf.input.json', '--stubs', 'tests/e2e/fixtures/pdf.stubs.json'];
  const link = cli(['share', ...files, '--base-url', baseURL, '--seed', '7']).trim();
  const expected = JSON.parse(cli(['run', ...files, '--seed', '7', '--format', 'json']));
  await open(page, link.slice(baseURL.length - 1));
  expect(await editorText(page, 'definition')).toBe(repoFile('www/examples/pdf-transform.serverless.yml'));
  expect(await editorText(page, 'stubs')).toBe(repoFile('tests/e2e/fixtures/pdf.stubs.json'));
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('seed')).toHaveValue('7');
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText(expected.status);
  expect(await output(page)).toEqual(expected.output);
  await expect(page.getByTestId('transitions')).toHaveText(String(expected.billable_transitions));
  // The fragment is read once: a reload restores the (now saved) session, not the link.
  expect(new URL(page.url()).hash).toBe('');
});

test('a link the CLI made with YAML input and stubs opens and runs as the CLI runs it', async ({ page, baseURL }) => {
  const files = ['www/examples/pdf-transform.serverless.yml', '--input', 'tests/e2e/fixtures/pdf.input.yml', '--stubs', 'tests/cases/cli/pdf-transform.stubs.yml'];
  const link = cli(['share', ...files, '--base-url', baseURL]).trim();
  const expected = JSON.parse(cli(['run', ...files, '--format', 'json']));
  const errors = await open(page, link.slice(baseURL.length - 1));
  // Kept as written, comments and all; read, so that only the Task these stubs leave out (the
  // rollback, which this run never reaches) is offered a stub; nothing is a problem.
  const stubs = repoFile('tests/cases/cli/pdf-transform.stubs.yml');
  expect(await editorText(page, 'input')).toBe(repoFile('tests/e2e/fixtures/pdf.input.yml'));
  expect(await editorText(page, 'stubs')).toBe(stubs);
  await expect(page.getByTestId('stub-helper').getByRole('button')).toHaveText(['+ Rollback', '+ all']);
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText(expected.status);
  expect(await output(page)).toEqual(expected.output);
  await expect(page.getByTestId('transitions')).toHaveText(String(expected.billable_transitions));
  // The missing stub is added in YAML, after what was there.
  await page.getByTestId('stub-helper').getByRole('button', { name: '+ Rollback' }).click();
  expect(await editorText(page, 'stubs')).toBe(`${stubs.trimEnd()}\n"Rollback":\n  Return: {}\n`);
  await expect(page.getByTestId('stub-helper')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the playground\'s Share makes the same link as the CLI for the same session', async ({ page, baseURL }) => {
  await open(page);
  const def = repoFile('tests/cases/cli/hello.asl.json');
  const input = repoFile('tests/cases/cli/hello.input.json');
  const stubs = repoFile('tests/cases/cli/hello.stubs.json');
  await load(page, { definition: def, input, stubs });
  await page.getByTestId('share').click();
  const fromPage = await page.getByTestId('share-link').inputValue();
  const fromCli = cli(['share', 'tests/cases/cli/hello.asl.json', '--input', 'tests/cases/cli/hello.input.json',
    '--stubs', 'tests/cases/cli/hello.stubs.json', '--base-url', baseURL]).trim();
  expect(fromPage).toBe(fromCli);
});

test('a corrupted, truncated or oversized link says so and leaves the saved session intact', async ({ page }) => {
  await open(page);
  await setEditor(page, 'input', '{"mine": true}');
  const saved = await editorText(page, 'definition');
  await page.getByTestId('share').click();
  const good = await page.getByTestId('share-link').inputValue();
  const frag = good.slice(good.indexOf('#'));
  for (const bad of [frag.slice(0, frag.length - 20), frag.replace('s=2.', 's=2.!!'), '#s=9.abc', `#s=1.${'A'.repeat(300000)}`]) {
    // A change of fragment alone does not reload the page: open it as a fresh visit.
    await page.goto('about:blank');
    await page.goto(`/${bad}`);
    await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
    await expect(page.getByTestId('notice')).toContainText('This link could not be opened');
    await expect(page.getByTestId('notice')).toContainText('Your saved session was kept');
    // Each reason ends its sentence ("cannot be unpacked Your saved session…": a QA pass).
    await expect(page.getByTestId('notice')).toContainText(/[.!?] Your saved session was kept\./);
    expect(await editorText(page, 'definition')).toBe(saved);
    expect(await editorText(page, 'input')).toBe('{"mine": true}');
  }
});

test('a link never silently replaces a different saved session: Undo brings it back', async ({ page, context }) => {
  const mine = { Comment: 'my work', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
  const theirs = { Comment: 'shared', StartAt: 'B', States: { B: { Type: 'Pass', End: true } } };
  await open(page);
  await load(page, { definition: theirs, input: { from: 'link' } });
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.keyboard.press('Escape');
  await load(page, { definition: mine, input: { from: 'me' } });

  // Opened in another tab of the same browser (so over the saved session): offered Undo.
  const other = await context.newPage();
  await open(other, link.slice(link.indexOf('/', 8)));
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(theirs);
  await expect(other.getByTestId('notice')).toContainText('Opened the shared session');
  await other.getByTestId('undo').click();
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(mine);
  expect(JSON.parse(await editorText(other, 'input'))).toEqual({ from: 'me' });
  await expect(other.getByTestId('notice')).toHaveCount(0);

  // Pasted into the address bar of the open page (the page does not reload): opened, with Undo.
  await other.goto(link);
  await expect.poll(async () => JSON.parse(await editorText(other, 'definition'))).toEqual(theirs);
  expect(new URL(other.url()).hash).toBe('');
  await expect(other.getByTestId('notice')).toContainText('Your previous session can be restored with Undo');
  await other.getByTestId('undo').click();
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(mine);
  // A bad one pasted the same way says so and keeps the session.
  await other.goto(`${link.slice(0, link.indexOf('#'))}#s=9.abc`);
  await expect(other.getByTestId('notice')).toContainText('This link could not be opened');
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(mine);
});

test('the Undo a link offers survives a reload and a new tab, until it is used or the session edited', async ({ page, context }) => {
  // The session a link replaced was kept in the page only: a reload lost it (a QA pass).
  const mine = { Comment: 'my work', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
  const theirs = { Comment: 'shared', StartAt: 'B', States: { B: { Type: 'Pass', End: true } } };
  const errors = await open(page);
  await load(page, { definition: theirs });
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.keyboard.press('Escape');
  await load(page, { definition: mine, input: { hour: 'of work' } });
  await page.goto('about:blank');
  await open(page, link.slice(link.indexOf('/', 8)));
  expect(JSON.parse(await editorText(page, 'definition'))).toEqual(theirs);
  await page.reload();
  await expect(page.getByTestId('undo')).toBeVisible();
  // Another tab with work of its own, loaded and reloaded, leaves the offer alone (any page load
  // without an offer of its own erased it: a review).
  const busy = await context.newPage();
  const busyErrors = await open(busy);
  await load(busy, { definition: { StartAt: 'C', States: { C: { Type: 'Succeed' } } } });
  await busy.reload();
  await expect(busy.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(busy.getByTestId('undo')).toHaveCount(0);
  await busy.close();
  await page.reload();
  await expect(page.getByTestId('undo')).toBeVisible();
  // A tab opened after this one closes offers it too.
  const other = await context.newPage();
  const otherErrors = await open(other);
  await page.close();
  await other.reload();
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(theirs);
  await other.getByTestId('undo').click();
  expect(JSON.parse(await editorText(other, 'definition'))).toEqual(mine);
  expect(JSON.parse(await editorText(other, 'input'))).toEqual({ hour: 'of work' });
  await other.reload();
  await expect(other.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(other.getByTestId('undo')).toHaveCount(0);
  // Opened again and edited: the edit ends the offer, after a reload too.
  await other.goto('about:blank');
  await open(other, link.slice(link.indexOf('/', 8)));
  await expect(other.getByTestId('undo')).toBeVisible();
  await setEditor(other, 'input', '{"edited": true}');
  await expect(other.getByTestId('undo')).toHaveCount(0);
  await other.reload();
  await expect(other.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(other.getByTestId('undo')).toHaveCount(0);
  expect([...errors, ...otherErrors, ...busyErrors]).toEqual([]);
});

test('Share shows the link to copy by hand where the browser gives no clipboard, or refuses', async ({ browser, baseURL }) => {
  // Outside a secure context navigator.clipboard is undefined: Share threw and showed nothing;
  // where writeText was refused it said "Link copied" (a QA pass).
  for (const clipboard of ['missing', 'refusing', 'working']) {
    const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
    await context.addInitScript((how) => {
      if (how === 'missing') Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
      if (how === 'refusing') navigator.clipboard.writeText = () => Promise.reject(new DOMException('blocked', 'NotAllowedError'));
      if (how === 'working') navigator.clipboard.writeText = () => Promise.resolve();
    }, clipboard);
    const page = await context.newPage();
    const errors = await open(page);
    await page.getByTestId('share').click();
    await expect(page.getByTestId('share-link')).toHaveValue(/#s=2\./);
    const said = page.getByTestId('share-copied');
    if (clipboard === 'working') {
      await expect(said).toContainText('Link copied.');
    } else {
      await expect(said).toContainText('copy it from the box below');
      await expect(said).not.toContainText('Link copied');
    }
    expect(errors, clipboard).toEqual([]);
    await context.close();
  }
});

test('the embed view of a bad link does not speak of a saved session', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?embed#s=9.abc');
  await expect(page.getByTestId('notice')).toContainText('This link could not be opened');
  await expect(page.getByTestId('notice')).toContainText("not the link's session");
  await expect(page.getByTestId('notice')).not.toContainText('saved session');
  expect(errors).toEqual([]);
});

test('every gallery example opens and meets its expectations', async ({ page }) => {
  await open(page);
  const files = readdirSync(`${root}www/examples`).filter((f) => f.endsWith('.json')).sort();
  expect(files.length).toBeGreaterThanOrEqual(15);
  await page.getByTestId('open-examples').click();
  await expect(page.getByTestId('examples').getByTestId('example')).toHaveCount(readdirSync(`${root}www/examples`).length);
  await page.getByTestId('open-examples').click();
  for (const f of files) {
    const ex = JSON.parse(readFileSync(`${root}www/examples/${f}`, 'utf8'));
    const name = f.replace(/\.json$/, '');
    await page.getByTestId('open-examples').click();
    await page.getByTestId('examples').locator(`[data-example="${name}"]`).click();
    await runToEnd(page);
    await expect(page.getByTestId('status'), name).toHaveText(ex.expect.status);
    if (ex.expect.output !== undefined) expect(await output(page), name).toEqual(ex.expect.output);
    if (ex.expect.error !== undefined) await expect(page.getByTestId('error'), name).toHaveText(ex.expect.error);
    if (ex.expect.billable_transitions !== undefined) {
      await expect(page.getByTestId('transitions'), name).toHaveText(String(ex.expect.billable_transitions));
    }
  }
});

test('opening an example can be undone', async ({ page }) => {
  await open(page);
  await setEditor(page, 'input', '{"keep": "me"}');
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="hello-world"]').click();
  expect(await editorText(page, 'input')).not.toContain('keep');
  await page.getByTestId('undo').click();
  expect(await editorText(page, 'input')).toBe('{"keep": "me"}');
});

test('an edit after opening an example ends the offer to undo it, so the edit cannot be lost', async ({ page }) => {
  const errors = await open(page);
  await setEditor(page, 'input', '{"mine": 1}');
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="hello-world"]').click();
  await expect(page.getByTestId('undo')).toBeVisible();
  await setEditor(page, 'input', '{"worked": "for an hour"}');
  await expect(page.getByTestId('undo')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toHaveCount(0);
  expect(await editorText(page, 'input')).toBe('{"worked": "for an hour"}');
  expect(errors).toEqual([]);
});

test('the embed view shows the graph, stepping and inspector without the editors', async ({ page, baseURL }) => {
  await open(page);
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator('[data-example="parallel-lookup"]').click();
  await setEditor(page, 'input', '{"customer": "embed"}');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  const embed = link.replace('#', '?embed#');
  const visitor = await page.context().newPage();
  await visitor.goto(embed);
  await expect(visitor.getByTestId('graph').locator('[data-state="LookupAddress"]')).toBeVisible();
  await expect(visitor.getByTestId('definition-editor')).toBeHidden();
  await expect(visitor.getByTestId('share')).toHaveCount(0);
  // With no handle to resize it, the embed gives the graph more of the height (65%, not 55%).
  const graphHeight = async (p) => (await p.getByTestId('graph').boundingBox()).height;
  expect(await graphHeight(visitor)).toBeGreaterThan((await graphHeight(page)) * 1.1);
  await visitor.getByTestId('step').click();
  await visitor.getByTestId('tab-inspector').click();
  await expect(visitor.getByTestId('inspector')).toContainText('LookupCustomerInfo');
  await visitor.getByTestId('run').click();
  await expect(visitor.getByTestId('status')).toHaveText('SUCCEEDED');
  // The embed never wrote to the visitor's storage: the main page still has its own session.
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeAttached();
  expect(await editorText(page, 'input')).toBe('{"customer": "embed"}');
});

// A QA pass: an embed link made before a machine was chosen opened on "choose one", with the
// Machine list hidden with the editors, so nothing could run.
test('the embed view of a document with several machines offers the Machine list', async ({ page }) => {
  await open(page);
  await setEditor(page, 'definition', `Resources:
  First: {Type: AWS::StepFunctions::StateMachine, Properties: {Definition: {StartAt: A, States: {A: {Type: Pass, Result: first, End: true}}}}}
  Second: {Type: AWS::StepFunctions::StateMachine, Properties: {Definition: {StartAt: B, States: {B: {Type: Pass, Result: second, End: true}}}}}
`);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  const visitor = await page.context().newPage();
  await visitor.goto(link.replace('#', '?embed#'));
  const picker = visitor.locator('.toolbar [data-testid="machine-picker"]');
  await expect(picker).toBeVisible();
  await picker.selectOption('Second');
  await visitor.getByTestId('run').click();
  await expect(visitor.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(visitor)).toBe('second');
});

test('hover help explains ASL fields, and exports download what they say', async ({ page }) => {
  await open(page);
  await hoverText(page, 'definition', 'ResultSelector');
  await expect(page.getByTestId('field-help')).toContainText('applied to the task');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  const grab = async (testid) => {
    await page.getByTestId('export').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
    return readFileSync(await download.path(), 'utf8');
  };
  const history = JSON.parse(await grab('export-history'));
  expect(history.events[0].type).toBe('ExecutionStarted');
  expect(history.events.at(-1).type).toBe('ExecutionSucceeded');
  const mock = JSON.parse(await grab('export-mock-config'));
  expect(mock.StateMachines.StateMachine.TestCases.Default.SayHello).toBe('SayHelloMock');
  expect(mock.MockedResponses.SayHelloMock['0'].Return.StatusCode).toBe(200);
  const yaml = await grab('export-yaml');
  expect(yaml).toContain('StartAt: SayHello');
  const json = JSON.parse(await grab('export-json'));
  expect(json.StartAt).toBe('SayHello');
});

test('the playground lists the same diagnostics as statelab validate', async ({ page }) => {
  for (const file of ['tests/cases/cli/invalid.asl.json', 'tests/cases/cli/warnings.asl.json', 'tests/cases/cli/two-machines.serverless.yml']) {
    let report;
    try {
      report = JSON.parse(cli(['validate', file, '--format', 'json']));
    } catch (e) {
      report = JSON.parse(e.stdout);
    }
    await open(page);
    await setEditor(page, 'definition', repoFile(file));
    // No stubs: the default ones name the default machine's states, which the playground would
    // rightly warn about (UNUSED_STUB), and validate has no stubs to look at.
    await setEditor(page, 'stubs', '{}');
    await page.getByTestId('tab-definition').click();
    const items = page.getByTestId('diagnostics').getByTestId('diagnostic');
    await expect(items).toHaveCount(report.diagnostics.length);
    for (const [i, d] of report.diagnostics.entries()) {
      const item = items.nth(i);
      await expect(item, file).toHaveAttribute('data-code', d.code);
      await expect(item, file).toContainText(d.message);
      if (d.line) await expect(item, file).toContainText(`definition ${d.line}:${d.column}`);
    }
  }
});

test('an export that fails says so, and a later one that works takes that notice away', async ({ page }) => {
  const errors = await open(page);
  // Nothing has run yet: the history cannot be exported.
  await page.getByTestId('export').click();
  await page.getByTestId('export-history').click();
  await expect(page.getByTestId('notice')).toContainText('Run or step first');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await page.getByTestId('export').click();
  await Promise.all([page.waitForEvent('download'), page.getByTestId('export-history').click()]);
  // It stayed, and read as if this export had failed too.
  await expect(page.getByTestId('notice')).toBeHidden();
  expect(errors).toEqual([]);
});
