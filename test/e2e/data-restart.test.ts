// Datasets survive a browser restart, not only a reload: a persistent profile is closed and opened again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sharedPath } from '../support/shared';
import { CHROMIUM } from './browser';

const profile = mkdtempSync(join(tmpdir(), 'webtune-profile-'));

async function withBrowser<T>(run: (page: Page) => Promise<T>): Promise<T> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(inject('appUrl'));
    return await run(page);
  } finally {
    await context.close();
  }
}

describe('stored datasets across a browser restart', () => {
  afterAll(() => rmSync(profile, { recursive: true, force: true }));

  it('lists the imported dataset with its row count after the browser is closed and started again', async () => {
    await withBrowser(async (page) => {
      await page.getByText('No datasets stored yet.').waitFor();
      await page
        .getByLabel('Dataset files', { exact: true })
        .setInputFiles(sharedPath('datasets', 'mrpc', 'dev.csv'));
      await page.locator('[data-testid="dataset"][data-name="dev.csv"]').waitFor();
    });
    const rows = await withBrowser(async (page) => {
      const item = page.locator('[data-testid="dataset"][data-name="dev.csv"]');
      await item.waitFor();
      return item.getAttribute('data-rows');
    });
    expect(rows).toBe('408');
  });
});
