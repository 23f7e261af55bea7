import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages/sign-in";

test("the local mailbox shows each email's html part, sandboxed, beside its text part", async ({ page }) => {
  await new SignInPage(page).requestLink("admin@acme.example");
  await page.goto("/dev/mailbox?to=admin%40acme.example");

  const mail = page.getByRole("article", { name: "Your sign-in link for Sally" }).first();
  await expect(mail).toBeVisible();
  const textLink = await mail.getByRole("list", { name: "Links" }).getByRole("link").first().getAttribute("href");
  expect(textLink).toMatch(/\/api\/auth\/callback\/email\?/);

  const frame = mail.getByTitle("HTML part of “Your sign-in link for Sally”");
  // No allow-scripts and no allow-same-origin: the email's html can neither run code nor read this page.
  expect((await frame.getAttribute("sandbox"))?.split(/\s+/).sort()).toEqual(["allow-popups", "allow-popups-to-escape-sandbox"]);
  const html = frame.contentFrame();
  await expect(html.getByText("Use the link below to sign in to Sally.")).toBeVisible();
  // The button in the html and the link in the text part are the same one-time link.
  await expect(html.getByRole("link", { name: "Sign in to Sally" })).toHaveAttribute("href", textLink!);
});

test("?domain= shows the emails to every address at one domain, and only those", async ({ page }) => {
  await new SignInPage(page).requestLink("admin@acme.example");
  await page.goto("/dev/mailbox?domain=ACME.example");
  await expect(page.getByText("Emails sent to addresses at ACME.example while no RESEND_API_KEY is set, newest first.")).toBeVisible();
  const recipients = await page.getByTestId("mail-to").allTextContents();
  expect(recipients.length).toBeGreaterThan(0);
  for (const to of recipients) expect(to.toLowerCase()).toMatch(/@acme\.example$/);
  await page.goto("/dev/mailbox?domain=acme.example.evil");
  await expect(page.getByText("No messages yet.")).toBeVisible();
});
