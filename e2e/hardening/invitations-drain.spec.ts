import { expect, test } from "@playwright/test";
import { ScimIntegrationPage } from "../pages/admin";
import { labels } from "../pages/labels";
import { SignInPage } from "../pages/sign-in";
import { SimulatedIdp } from "./idp";
import { connectTenant, startInstance, type Instance, type OneInstance, type OpsDatabase } from "./instances";

// An admin's Save that invites more people than one drain takes (50) sends every invitation right after the
// answer, not 50 now and the rest at the background drain. The instance's background drain is an hour away
// (OUTBOX_DRAIN_INTERVAL_SECONDS), so every email that arrives here was sent by the save's own drain.
const INVITED = 60;

let ops: OneInstance | undefined;
let database: OpsDatabase;
let instance: Instance;

test.beforeAll(async ({}, info) => {
  ops = await startInstance(info, "invitations", 7, { env: { OUTBOX_DRAIN_INTERVAL_SECONDS: "3600" } });
  ({ database, instance } = ops);
});

test.afterAll(() => ops?.stop());

test(`a Save that invites ${INVITED} people sends every invitation at once, each exactly once`, async ({ page }) => {
  test.setTimeout(300_000);
  const { slug, token } = await connectTenant(instance.options, "inv", "entra", "--seats", `starter=${INVITED}`);
  const domain = `${slug}.example`;
  const admin = `admin@${domain}`;

  // The IdP's first sync: the people, a user group with all of them, an admin group with one.
  const idp = new SimulatedIdp(token, () => [instance.url]);
  const people: string[] = [];
  for (let n = 0; n < INVITED; n++) people.push(await idp.createUser(`person${n}@${domain}`));
  const users = await idp.createGroup("Sally Users");
  await idp.members("add", users, people);
  const admins = await idp.createGroup("Sally Admins");
  await idp.members("add", admins, people.slice(0, 1));

  // The admin signs in with a link from the instance's local mailbox (a sign-in link is sent by its own request).
  await new SignInPage(page, instance.url).signIn(admin);
  await expect(page).toHaveURL(`${instance.url}/settings/users`);

  // Group assignment, a license for everyone, invitations on, Save and Confirm.
  const l = labels.en;
  const scim = new ScimIntegrationPage(page, "en");
  await page.goto(`${instance.url}/settings/users/scim`);
  await expect(scim.state()).toHaveAttribute("data-state", "connected");
  await scim.chooseGroups(l.groupOption("Sally Users", INVITED), l.groupOption("Sally Admins", 1));
  await scim.chooseLicense("Sally Users", "starter");
  await scim.inviteSwitch().click();
  await expect(scim.inviteSwitch()).toHaveAttribute("aria-checked", "true");
  const dialog = await scim.save();
  await expect(dialog.getByTestId("gain-access").getByRole("listitem")).toHaveCount(INVITED);
  await scim.confirmIn(dialog);
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: l.saved })).toBeVisible();

  // Every invitation arrives, sent by the save's drain: with one batch per drain, 50 would, and the other 10 only
  // in an hour.
  const invitations = async () =>
    (await database.sql`select "to", count(*)::int as n from mailbox where kind = 'invitation' and "to" like ${`%@${domain}`} group by "to"`) as unknown as {
      to: string;
      n: number;
    }[];
  await expect.poll(async () => (await invitations()).length, { timeout: 60_000 }).toBe(INVITED);
  const received = await invitations();
  expect(received.map((r) => r.to).sort()).toEqual(Array.from({ length: INVITED }, (_, n) => `person${n}@${domain}`).sort());
  expect(received.every((r) => r.n === 1)).toBe(true);
  const [{ pending }] = await database.sql`select count(*)::int as pending from email_outbox where status = 'pending'`;
  expect(pending).toBe(0);
});
