// The Train form's fields by their library names (learning_rate, r, packing, …): a field's accessible name is
// "Label · name" (the human label, then the transformers / TRL / PEFT name), and automation keys on the name,
// whatever control the field is (a number input, a choice, a switch).
import type { Locator, Page } from 'playwright-core';
import { argumentEntry } from '../../../src/core/argument-table';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The form's field of this training argument: "… · name" inside the Hyper-parameters form. */
export function trainField(page: Page, name: string): Locator {
  argumentEntry(name); // a name the table does not hold fails here, not as a time-out
  return page
    .getByRole('group', { name: 'Hyper-parameters', exact: true })
    .getByLabel(new RegExp(`· ${escaped(name)}$`));
}

/** Sets one field from text: a switch takes "true" / "false", a choice its option, a number its digits. */
export async function setTrainField(page: Page, name: string, value: string): Promise<void> {
  const field = trainField(page, name);
  if (argumentEntry(name).kind.type === 'bool') await field.setChecked(value === 'true');
  else if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
  else await field.fill(value);
}

/** Opens "More settings" and sets each field. */
export async function setTrainFields(page: Page, values: Record<string, string>): Promise<void> {
  await page
    .getByRole('group', { name: 'Hyper-parameters', exact: true })
    .locator('details:has(> summary)')
    .evaluate((d) => ((d as HTMLDetailsElement).open = true));
  for (const [name, value] of Object.entries(values)) await setTrainField(page, name, value);
}

/** A field's value as text: a switch's is "true" or "false". */
export async function trainFieldValue(page: Page, name: string): Promise<string> {
  const field = trainField(page, name);
  if (argumentEntry(name).kind.type === 'bool') return String(await field.isChecked());
  return field.inputValue();
}
