import type { LicenseTier, UserLicense, UserRole } from "@/db/schema";
import { licenseTiers } from "@/db/schema";
import { resolveAccess, type Mapping } from "./access";
import { settleEmailClaims } from "./email-claims";
import { countSeatsHeld, resolveSeatShortfall, zeroSeats, type SeatCounts } from "./seats";

export type PreviewUser = {
  id: string;
  createdAt: string | Date;
  email: string;
  role: UserRole;
  license: UserLicense;
  /** Provisioned and managed by the IdP: the mapping decides. Manual users keep what they have. */
  managedByIdp: boolean;
  active: boolean;
  groupIds: ReadonlySet<string>;
};

export type SeatOffer = Record<LicenseTier, { quantity: number; unitPriceCents: number }>;

export type AccessChange = { email: string; from: { role: UserRole; license: UserLicense }; to: { role: UserRole; license: UserLicense } };

export type MappingPreview = {
  gainAccess: AccessChange[];
  loseAccess: AccessChange[];
  /** Users who keep access but change role or license. */
  change: AccessChange[];
  seatsToBuy: SeatCounts;
  costCents: Record<LicenseTier, number> & { total: number };
  /** Administrators after the save; a save that leaves none is refused (nobody could sign in to undo it). */
  adminsAfter: number;
};

/**
 * What saving a proposed mapping would do, computed with the same rules the save applies: who gains access, who
 * loses it, who changes role or license, and the seats that would be bought per tier with their cost.
 */
export function previewMapping(users: PreviewUser[], proposed: Mapping, seats: SeatOffer): MappingPreview {
  const preview: MappingPreview = {
    gainAccess: [],
    loseAccess: [],
    change: [],
    seatsToBuy: zeroSeats(),
    costCents: { ...zeroSeats(), total: 0 },
    adminsAfter: 0,
  };
  const ruled = users.map((user) => (user.managedByIdp ? resolveAccess({ active: user.active, groupIds: user.groupIds }, proposed) : user));
  // One email signs in one user: the save keeps the others from access, so the preview does too.
  const blocked = settleEmailClaims(
    users.map((user, n) => ({ userId: user.id, email: user.email, wantsAccess: ruled[n].role !== "none", holdsNow: user.role !== "none", createdAt: user.createdAt })),
  );
  const after = users.map((user, n) => {
    const to = blocked.has(user.id) ? { role: "none" as const, license: "none" as const } : ruled[n];
    const change: AccessChange = { email: user.email, from: { role: user.role, license: user.license }, to: { role: to.role, license: to.license } };
    if (user.role === "none" && to.role !== "none") preview.gainAccess.push(change);
    else if (user.role !== "none" && to.role === "none") preview.loseAccess.push(change);
    else if (user.role !== to.role || user.license !== to.license) preview.change.push(change);
    if (to.role === "admin") preview.adminsAfter += 1;
    return to;
  });
  const owned = zeroSeats();
  for (const tier of licenseTiers) owned[tier] = seats[tier].quantity;
  preview.seatsToBuy = resolveSeatShortfall(countSeatsHeld(after), owned);
  for (const tier of licenseTiers) {
    preview.costCents[tier] = preview.seatsToBuy[tier] * seats[tier].unitPriceCents;
    preview.costCents.total += preview.costCents[tier];
  }
  return preview;
}
