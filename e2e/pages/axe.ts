import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Runs axe (WCAG 2.x A and AA rules) on the page as it is now and fails with the violations, if any. It first waits
 * for the page's title, so that a scan never runs between a client-side navigation's body and its head.
 */
export async function expectNoAxeViolations(page: Page, what: string) {
  await expect(page, `the title of ${what}`).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const summary = violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}
