// Shared helpers for the browser suite.
import { expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A gallery example (www/examples/<name>.json) as an object. */
export function example(name) {
  return JSON.parse(readFileSync(`${root}www/examples/${name}.json`, 'utf8'));
}

/** A file from the repository, as text. */
export function repoFile(path) {
  return readFileSync(`${root}${path}`, 'utf8');
}

/** Opens the playground on a fresh, empty storage and waits for the editors. */
export async function open(page, path = '/') {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  return errors;
}

/** Replaces an editor's text the way a user pasting would. */
export async function setEditor(page, name, text) {
  await page.getByTestId(`tab-${name}`).click();
  const content = page.getByTestId(`${name}-editor`).locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * The text an editor holds. The Input and Stubs editors start the first time their tab shows, so
 * one never shown is shown first (as a user would look at it), then the tab shown before returns.
 */
export async function editorText(page, name) {
  const text = await page.evaluate((n) => window.StatelabEditor.textOf(n), name);
  if (text !== null) return text;
  const before = await page.locator('[role="tablist"][aria-label="Editors"] [aria-selected="true"]').getAttribute('data-testid');
  await page.getByTestId(`tab-${name}`).click();
  await expect(page.getByTestId(`${name}-editor`).locator('.cm-content')).toBeAttached();
  const shown = await page.evaluate((n) => window.StatelabEditor.textOf(n), name);
  if (before) await page.getByTestId(before).click();
  return shown;
}

/** Loads a session: definition, input and stubs (objects are pretty-printed). */
export async function load(page, { definition, input = {}, stubs = {} }) {
  const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  await setEditor(page, 'definition', text(definition));
  await setEditor(page, 'input', text(input));
  await setEditor(page, 'stubs', text(stubs));
  await page.getByTestId('tab-definition').click();
}

/** Runs and waits for a final status. */
export async function runToEnd(page) {
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText(/^(SUCCEEDED|FAILED|TIMED_OUT|ABORTED|NOT STARTED)$/);
}

/** The output panel's JSON. */
export async function output(page) {
  return JSON.parse(await page.getByTestId('output').getAttribute('data-json'));
}

/** Moves the pointer over the first occurrence of `text` in an editor. */
export async function hoverText(page, editor, text) {
  const box = await page.getByTestId(`${editor}-editor`).locator('.cm-content').evaluate((el, t) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.indexOf(t);
      if (i >= 0) {
        const r = document.createRange();
        r.setStart(n, i + 1);
        r.setEnd(n, i + t.length - 1);
        const b = r.getBoundingClientRect();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      }
    }
    return null;
  }, text);
  if (!box) throw new Error(`${text} not found in the ${editor} editor`);
  await page.mouse.move(box.x, box.y);
}

/** A Pass/Choice loop that counts `$.i` (start it at 0) up to `rounds`: four events a round, and
 *  `Inc` visited `rounds` times. */
export function countingLoop(rounds) {
  return {
    StartAt: 'Inc',
    States: {
      Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: rounds, Next: 'Inc' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
}
