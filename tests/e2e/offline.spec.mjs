// Offline use: once opened, the playground opens again with no network (sw.js, written by
// scripts/trunk-boot.mjs), with the session saved in the browser, and runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { open, load, runToEnd, output, editorText } from './helpers.mjs';

test.use({ serviceWorkers: 'allow' });

/** Waits until the page's service worker is active, that is, has copied the build. */
async function workerActive(page) {
  await expect.poll(() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)),
    { message: 'a service worker is registered and active' }).toBe(true);
}

const SAVED = { StartAt: 'Hi', States: { Hi: { Type: 'Pass', Result: { offline: true }, End: true } } };

test('once opened, the playground opens and runs with no network, with the session it had', async ({ page, context }) => {
  const errors = await open(page);
  await load(page, { definition: SAVED });
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await workerActive(page);

  await context.setOffline(true);
  expect(await page.evaluate(() => fetch('./index.html', { cache: 'no-store' }).then(() => 'online', () => 'offline')))
    .toBe('offline'); // (sanity: the page itself cannot reach the server)
  await page.reload();
  await expect(page.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(JSON.parse(await editorText(page, 'definition'))).toEqual(SAVED);
  await runToEnd(page);
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  expect(await output(page)).toEqual({ offline: true });

  // A new tab, at an address with a query, opens offline too.
  const other = await context.newPage();
  await other.goto('/?from=bookmark');
  await expect(other.getByTestId('run')).toBeEnabled();
  await expect(other.getByTestId('definition-editor').locator('.cm-content')).toBeVisible();
  expect(errors).toEqual([]);
});

test('online, what the server has now is served, not the copy', async ({ page }) => {
  await open(page);
  await workerActive(page);
  await page.reload();
  await expect(page.getByTestId('run')).toBeEnabled();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // A file of the build changes on the server (as after `trunk serve` rebuilds): the worker,
  // which holds a copy of it, still gives the server's.
  const file = new URL('../../dist/boot.js', import.meta.url);
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, `${original}// changed on the server\n`);
    expect(await page.evaluate(() => fetch('./boot.js').then((r) => r.text()))).toContain('// changed on the server');
  } finally {
    writeFileSync(file, original);
  }
});
