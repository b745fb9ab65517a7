// Robustness: hostile input never kills the page. After each of these the page must still work:
// no "Something broke" banner, no uncaught error, the editors take typing and Run runs.
import { test, expect } from '@playwright/test';
import { deflateRawSync } from 'node:zlib';
import { open, setEditor, editorText, load, runToEnd, output, repoFile, hoverText } from './helpers.mjs';

const HELLO = { StartAt: 'Hi', States: { Hi: { Type: 'Pass', Result: { ok: true }, End: true } } };

/** A share link (`#s=1.…`) for a session payload, packed as `share::encode` packs it. */
function shareLink(payload) {
  return `/#s=1.${deflateRawSync(Buffer.from(JSON.stringify({ v: 1, ...payload }))).toString('base64url')}`;
}

/**
 * Pastes text into an editor in place of what it holds, with a real paste event as a person
 * pasting sends (typing megabytes in, as `setEditor` does, would measure the typing instead).
 */
async function paste(page, name, text) {
  await page.getByTestId(`tab-${name}`).click();
  const content = page.getByTestId(`${name}-editor`).locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await content.evaluate((el, t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  expect((await editorText(page, name)).length).toBe(text.length);
}

/** Loads a page with a fresh document (a fragment-only change would not reload the app). */
async function visit(page, path) {
  await page.goto('about:blank');
  await page.goto(path);
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
}

/** The page still works: no crash banner, the editor takes typing, and a definition runs. */
async function stillUsable(page, errors) {
  await expect(page.getByTestId('crash-banner')).toHaveCount(0);
  await setEditor(page, 'input', '{"typed": 1}');
  expect(await editorText(page, 'input')).toBe('{"typed": 1}');
  await setEditor(page, 'stubs', '{}');
  await setEditor(page, 'definition', JSON.stringify(HELLO));
  await page.getByTestId('tab-definition').click();
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(page)).toEqual({ ok: true });
  expect(errors).toEqual([]);
}

/** The messages the diagnostics list shows. */
function diagnostics(page) {
  return page.getByTestId('diagnostics').getByTestId('diagnostic');
}

test('a 2 MB definition is refused with the 1 MB quota, and the page goes on', async ({ page }) => {
  const errors = await open(page);
  const huge = JSON.stringify({
    StartAt: 'Big',
    States: { Big: { Type: 'Pass', Result: { blob: 'x'.repeat(2 * 1024 * 1024) }, End: true } },
  });
  await paste(page, 'definition', huge);
  await expect(diagnostics(page).filter({ hasText: 'AWS accepts definitions of up to 1048576 bytes (1 MB)' }))
    .toHaveCount(1, { timeout: 30_000 });
  await stillUsable(page, errors);
});

test('JSON nested 100,000 deep: a clear error in every editor, no stack overflow', async ({ page }) => {
  const errors = await open(page);
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  await paste(page, 'definition', deep);
  await expect(diagnostics(page).filter({ hasText: 'nested deeper than 1000 levels' })).toHaveCount(1);
  await setEditor(page, 'definition', JSON.stringify(HELLO));
  await paste(page, 'input', `{"a": ${deep}}`);
  await paste(page, 'stubs', `{"Hi": {"Return": ${deep}}}`);
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('NOT STARTED');
  await expect(page.getByTestId('run-error')).toContainText('nested deeper than 1000 levels');
  // YAML too, in flow and block style.
  await paste(page, 'definition', `StartAt: A\nStates: ${'['.repeat(5000)}`);
  await expect(diagnostics(page).filter({ hasText: 'may nest at most 255 levels' })).toHaveCount(1);
  await paste(page, 'definition', Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'));
  await expect(diagnostics(page).filter({ hasText: 'YAML nested deeper than 1000 levels' })).toHaveCount(1);
  await stillUsable(page, errors);
});

test('malformed JSON and YAML, a YAML alias bomb and binary garbage are diagnosed', async ({ page }) => {
  const errors = await open(page);
  // Every code unit but '\r' (the editor turns it into a line break), then the oddest ones.
  const garbage = Array.from({ length: 4000 }, (_, i) => String.fromCharCode((i * 7919 + 14) % 0xd7ff))
    .join('').replaceAll('\r', ' ')
    + '\u0000\ufffe\uffff\ud800' + '\u{1F600}'.repeat(10);
  for (const text of [
    '{"StartAt": "A", "States": {',
    '{"StartAt": "A",, "States": {}}',
    '{"StartAt": 1e999999, "States": []}',
    'StartAt: A\nStates:\n  A: {Type: Pass\n    End: true',
    'StartAt: A\n\tStates: [',
    '--- !!binary\n%%%\n&a *a',
    repoFile('tests/cases/documents/alias-bomb.yml'),
    garbage,
  ]) {
    await paste(page, 'definition', text);
    await expect(diagnostics(page)).not.toHaveCount(0);
  }
  // Garbage as input and stubs: the run explains, it does not crash.
  await setEditor(page, 'definition', JSON.stringify(HELLO));
  await paste(page, 'input', garbage);
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('NOT STARTED');
  await expect(page.getByTestId('run-error')).not.toBeEmpty();
  await setEditor(page, 'input', '{}');
  await paste(page, 'stubs', garbage);
  await page.getByTestId('tab-definition').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('NOT STARTED');
  await setEditor(page, 'stubs', '{}');
  await stillUsable(page, errors);
});

test('a 1,000-state definition validates, draws and runs', async ({ page }) => {
  const errors = await open(page);
  const states = {};
  for (let i = 0; i < 1000; i++) {
    states[`S${i}`] = i < 999 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Succeed' };
  }
  await paste(page, 'definition', JSON.stringify({ StartAt: 'S0', States: states }, null, 2));
  await expect(page.getByTestId('no-problems')).toBeVisible({ timeout: 30_000 });
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  await expect(page.getByTestId('transitions')).toHaveText('1000');
  await stillUsable(page, errors);
});

test('a loop that nests its data deeper each turn fails cleanly at the depth limit', async ({ page }) => {
  const errors = await open(page);
  await load(page, {
    definition: {
      StartAt: 'Wrap',
      States: {
        Wrap: { Type: 'Pass', Parameters: { 'x.$': 'States.Array(States.Array(States.Array($)))' }, Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$', IsPresent: true, Next: 'Wrap' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
  });
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  await expect(page.getByTestId('cause')).toContainText('Statelab handles data nested up to 1000 levels');
  // The deepest data the run kept, shown in the history and the inspector.
  await page.getByTestId('tab-history').click();
  await page.getByTestId('history-row').last().click();
  await page.getByTestId('history-row').nth(-3).click();
  await page.getByTestId('tab-output').click();
  await stillUsable(page, errors);
});

test('a share link with markup in every field renders it as text and runs nothing', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  const xss = (tag) => `<img src=x data-pwned onerror="window.__pwned='${tag}';alert('${tag}')">`
    + `<script data-pwned>window.__pwned='${tag}';alert('${tag}')</script><b data-pwned>${tag}</b>`;
  // State names are at most 80 characters.
  const name = '<b data-pwned>S</b><img src=x data-pwned onerror=alert(1)>';
  const definition = JSON.stringify({
    Comment: xss('comment'),
    StartAt: name,
    States: {
      [name]: { Type: 'Pass', Result: { html: xss('result') }, Next: 'Boom' },
      Boom: { Type: 'Fail', Error: xss('error'), Cause: xss('cause') },
    },
  }, null, 2);
  const link = shareLink({
    definition,
    input: JSON.stringify({ html: xss('input') }),
    stubs: JSON.stringify({ [xss('stub')]: { Return: xss('stub-result') } }),
    options: {
      region: xss('region'),
      start_time: xss('start'),
      state_machine: xss('machine'),
      mock_test_case: xss('case'),
    },
    breakpoints: [xss('breakpoint'), name],
  });
  await page.goto('about:blank');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(await editorText(page, 'definition')).toBe(definition);
  // Whatever the options' markup did to the run settings, the page explains it as text.
  await page.getByTestId('run').click();
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('tab-output').click();
  await page.getByTestId('tab-history').click();
  await page.getByTestId('tab-output').click();
  const injected = await page.evaluate(() => ({
    marked: document.querySelectorAll('[data-pwned]').length,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    handlers: document.querySelectorAll('[onerror]').length,
    pwned: window.__pwned ?? null,
  }));
  expect(injected).toEqual({ marked: 0, inlineScripts: 0, handlers: 0, pwned: null });
  expect(dialogs).toEqual([]);
  // Fix the start time and the region the link broke, then run: the state name, error and
  // cause are text. (The region is shown as it came, as text.)
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('region').locator('option:checked')).toHaveText(`${xss('region')} (not in the price table)`);
  await page.getByTestId('start-time').fill('2026-01-01T00:00:00Z');
  await page.getByTestId('start-time').press('Tab');
  await page.getByTestId('region').selectOption('us-east-1');
  await page.getByTestId('tab-output').click();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  await expect(page.getByTestId('error')).toHaveText(xss('error'));
  await expect(page.getByTestId('cause')).toHaveText(xss('cause'));
  await expect(page.locator('[data-pwned]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => window.__pwned ?? null)).toBeNull();
  await stillUsable(page, errors);
});

test('truncated, corrupted and oversized links explain themselves and keep the saved session', async ({ page }) => {
  const errors = await open(page);
  const saved = { StartAt: 'Mine', States: { Mine: { Type: 'Succeed' } } };
  await load(page, { definition: saved, input: { mine: true } });
  const definition = await editorText(page, 'definition');
  const good = shareLink({ definition: JSON.stringify(HELLO), input: '{"from": "link"}' });
  const body = good.slice('/#s=1.'.length);
  const cases = [
    ['truncated', `/#s=1.${body.slice(0, body.length >> 1)}`, /cut short|damaged/],
    ['corrupted', `/#s=1.${body.slice(0, 10)}${body.slice(10, 30).split('').reverse().join('')}${body.slice(30)}`,
      /damaged|cut short|not JSON|not readable/],
    ['not base64url', '/#s=1.<script>alert(1)</script>', /not base64url/],
    ['from the future', '/#s=9.AAAA', /share format 9/],
    ['oversized', `/#s=1.${'A'.repeat(300_000)}`, /links of up to 262144 bytes/],
  ];
  for (const [what, link, message] of cases) {
    await visit(page, link);
    const notice = page.getByTestId('notice');
    await expect(notice, what).toContainText('This link could not be opened');
    await expect(notice, what).toContainText(message);
    await expect(notice, what).toContainText('Your saved session was kept.');
    expect(await editorText(page, 'definition'), what).toBe(definition);
    expect(JSON.parse(await editorText(page, 'input')), what).toEqual({ mine: true });
  }
  // The good link itself opens.
  await visit(page, good);
  expect(JSON.parse(await editorText(page, 'input'))).toEqual({ from: 'link' });
  await stillUsable(page, errors);
});

test('should anything panic, the banner says the work is saved, and it is', async ({ page }) => {
  await open(page);
  await load(page, { definition: HELLO, input: { before: 'the crash' } });
  const definition = await editorText(page, 'definition');
  // `?crash-test` panics once the page is up (once per tab): the panic hook's work.
  await page.goto('/?crash-test');
  const banner = page.getByTestId('crash-banner');
  await expect(banner).toContainText('Something broke; your work is saved.');
  expect(await page.evaluate(() => localStorage.getItem('statelab.crashed'))).toBe('1');
  // Its Reload (a plain link: the page's CSP forbids inline handlers) brings the session back
  // and says what happened.
  await page.getByTestId('crash-reload').click();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  await expect(page.getByTestId('notice')).toContainText('Statelab stopped unexpectedly last time');
  await expect(banner).toHaveCount(0);
  expect(await editorText(page, 'definition')).toBe(definition);
  expect(JSON.parse(await editorText(page, 'input'))).toEqual({ before: 'the crash' });
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
});

test('without the code editor script, each editor is a plain text area and the page still runs', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/editor-*.js', (route) => route.abort());
  await page.goto('/');
  const definition = page.getByTestId('definition-editor').locator('textarea.fallback-editor');
  await expect(definition).toBeVisible();
  await definition.fill(JSON.stringify(HELLO));
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(page)).toEqual({ ok: true });
  expect(errors).toEqual([]);
});

test('the app starts before the code editor script and creates its editors when it arrives', async ({ page }) => {
  await open(page);
  await load(page, { definition: HELLO, input: { saved: true } });
  // Hold CodeMirror back: the app (which no longer waits for it) must be up meanwhile.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/editor-*.js', async (route) => {
    const response = await route.fetch();
    await held;
    await route.fulfill({ response });
  });
  // (Not waiting for `load`, which the held script holds back.)
  await page.reload({ waitUntil: 'commit' });
  await expect(page.getByTestId('run')).toBeEnabled();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toHaveCount(0);
  await expect(page.getByTestId('definition-editor').locator('textarea')).toHaveCount(0);
  release();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(JSON.parse(await editorText(page, 'definition'))).toEqual(HELLO);
  expect(JSON.parse(await editorText(page, 'input'))).toEqual({ saved: true });
  // Field help reached the editor too: hovering a field name explains it.
  await hoverText(page, 'definition', 'StartAt');
  await expect(page.getByTestId('field-help')).toContainText('The name of the state the execution');
});

test('when the browser refuses to store the session, the page says so once and goes on', async ({ page }) => {
  // Storage full: every write of the session throws, as a full localStorage does.
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key === 'statelab.session.v1' && !window.__storageFixed) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return setItem.call(this, key, value);
    };
  });
  const errors = await open(page);
  await setEditor(page, 'definition', JSON.stringify(HELLO));
  await expect(page.getByTestId('not-saved')).toBeVisible();
  await expect(page.getByTestId('notice')).toContainText('what you change here is lost on reload');
  // Said once: dismissed, it does not come back with the next edit.
  await page.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await setEditor(page, 'input', '{"more": 1}');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  // Storage works again: the badge goes with the next save.
  await page.evaluate(() => { window.__storageFixed = true; });
  await setEditor(page, 'input', '{"more": 2}');
  await expect(page.getByTestId('not-saved')).toHaveCount(0);
  // And so does the notice, if it is still up.
  await page.evaluate(() => { window.__storageFixed = false; });
  await setEditor(page, 'input', '{"more": 3}');
  await expect(page.getByTestId('notice')).toContainText('lost on reload');
  await page.evaluate(() => { window.__storageFixed = true; });
  await setEditor(page, 'input', '{"more": 4}');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await expect(page.getByTestId('not-saved')).toHaveCount(0);
  await stillUsable(page, errors);
});
