import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages/sign-in";

test("the demo admin signs in by email link from the local mailbox and reaches Settings → Users", async ({ page }) => {
  await new SignInPage(page).signIn("admin@acme.example");
  await expect(page).toHaveURL(/\/settings\/users$/);
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "admin@acme.example" })).toBeVisible();
});

test("settings are closed to visitors who are not signed in", async ({ page }) => {
  await page.goto("/settings/users");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("an address without access gets no link and cannot probe who exists", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.requestLink("stranger@nowhere.example");
  await page.goto("/dev/mailbox?to=stranger%40nowhere.example");
  await expect(page.getByText("No messages yet.")).toBeVisible();
});

test("a sign-in link works once", async ({ page, context }) => {
  const signIn = new SignInPage(page);
  await signIn.requestLink("admin@acme.example");
  await page.goto("/dev/mailbox?to=admin%40acme.example");
  const href = await page.getByTestId("mail").first().getByRole("link").first().getAttribute("href");
  await page.goto(href!);
  await expect(page).toHaveURL(/\/settings\/users$/);
  await context.clearCookies();
  await page.goto(href!);
  await expect(page).toHaveURL(/\/sign-in\?error=Verification/);
  await expect(page.getByText("This sign-in link has expired or was already used.")).toBeVisible();
});

for (const [locale, heading, back] of [
  ["en-US", "Not found", "Go to the start page"],
  ["de-DE", "Nicht gefunden", "Zur Startseite"],
] as const) {
  test.describe(locale, () => {
    test.use({ locale });

    test("an address that matches no page answers 404 in the visitor's language, with a way back", async ({ page }) => {
      const response = await page.goto("/settings/no-such-page");
      expect(response!.status()).toBe(404);
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
      await page.getByRole("link", { name: back }).click();
      await expect(page).toHaveURL(/\/sign-in$/);
    });
  });
}
