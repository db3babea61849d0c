import type { Locator, Page } from 'playwright-core';

/**
 * Presses Tab until `target` has the focus, as a keyboard user would, and fails after `most`
 * presses: a control the keyboard cannot reach is a defect the test should name.
 */
export async function tabTo(page: Page, target: Locator, most = 150): Promise<void> {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement).catch(() => false)) return;
  }
  throw new Error(`Tab never reached ${target.toString()} in ${most} presses`);
}
