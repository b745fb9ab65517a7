// JSONata and workflow variables in the debugger: the inspector shows $states and the variables.
import { test, expect } from '@playwright/test';
import { open } from './helpers.mjs';

async function openExample(page, name) {
  await page.getByTestId('open-examples').click();
  await page.getByTestId('examples').locator(`[data-example="${name}"]`).click();
  await expect(page.getByTestId('graph').locator('[data-testid="graph-node"]').first()).toBeVisible();
  // The graph's opening view is set in an animation frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Steps one scheduler event at a time until the inspector shows `state` with a status matching `status`. */
async function stepTo(page, state, status, max = 60) {
  for (let i = 0; i < max; i++) {
    const head = page.getByTestId('inspector-state');
    if ((await head.count()) > 0) {
      const shown = await head.textContent();
      const st = await page.getByTestId('inspector-status').textContent();
      if (shown === state && status.test(st)) return;
    }
    await page.getByTestId('step').click();
  }
  throw new Error(`never reached ${state} ${status}`);
}

const json = async (locator) => JSON.parse(await locator.getAttribute('data-json'));

test('variables and a Catcher: $states, errorOutput and the variables at every step', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'jsonata-variables-catch');
  await page.getByTestId('tab-inspector').click();
  const inspector = page.getByTestId('inspector');

  // Start assigns two variables: they are new, in this (the top-level) scope.
  await stepTo(page, 'Start', /succeeded/);
  expect(await json(inspector.getByTestId('states-input'))).toEqual({ account: 'acc-1', amount: 250 });
  await expect(inspector.getByTestId('states-context')).toBeVisible();
  expect((await json(inspector.getByTestId('states-context'))).State.Name).toBe('Start');
  const vars = inspector.getByTestId('variables');
  await expect(vars.getByTestId('variable')).toHaveCount(2);
  await expect(vars).toContainText('$account');
  await expect(vars).toContainText('(new)');

  // The Task: $states.result holds what it returned, and it reads the variables Start set.
  await stepTo(page, 'Check balance', /succeeded/);
  expect(await json(inspector.getByTestId('states-result'))).toEqual({ Payload: { balance: 120 } });
  await expect(vars.getByTestId('variable')).toHaveCount(3);
  await expect(vars.locator('tr', { hasText: '$account' })).toContainText('"acc-1"');
  await expect(inspector.getByTestId('explain')).toContainText('Arguments/Payload/account: {% $account %} gave "acc-1".');

  // Pay fails and its Catcher takes the error: $states.errorOutput, and the Catcher's Assign.
  await stepTo(page, 'Pay', /caught/);
  expect(await json(inspector.getByTestId('states-error-output'))).toEqual({
    Error: 'Payment.Declined',
    Cause: 'insufficient funds',
  });
  const reason = vars.locator('tr', { hasText: '$reason' });
  await expect(reason).toContainText('(new)');
  await expect(reason).toContainText('"insufficient funds"');
  await expect(vars.locator('tr', { hasText: '$attempt' })).toContainText('2');

  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('FAILED');
  expect(errors).toEqual([]);
});

test('a JSONata Map: ItemSelector sees the Map.Item context and the outer variables', async ({ page }) => {
  const errors = await open(page);
  await openExample(page, 'jsonata-map');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('SUCCEEDED');
  // The first Quote visit, inside an iteration: the rate comes from the outer scope.
  await page.getByTestId('graph').locator('[data-state="Quote"]').first().click();
  await page.getByTestId('node-visit').first().click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-state')).toHaveText('Quote');
  await expect(inspector.getByTestId('variables').locator('tr', { hasText: '$vat' })).toContainText('outer scope');
  expect(Object.keys(await json(inspector.getByTestId('states-input')))).toEqual(['line', 'sku', 'quantity', 'vat']);
  await expect(inspector.getByTestId('states-result')).toBeVisible();
  expect(errors).toEqual([]);
});
