import type { LicenseTier, UserLicense, UserRole } from "@/db/schema";
import { licenseTiers } from "@/db/schema";

export type SeatCounts = Record<LicenseTier, number>;

export const zeroSeats = (): SeatCounts => ({ starter: 0, team: 0, enterprise: 0 });

/** Seats in use per tier: only users with access hold one. Rows may stand for `count` users each. */
export function countSeatsHeld(users: Iterable<{ role: UserRole; license: UserLicense; count?: number }>): SeatCounts {
  const held = zeroSeats();
  for (const user of users) if (user.role !== "none" && user.license !== "none") held[user.license] += user.count ?? 1;
  return held;
}

/** Seats to buy per tier: how far the users holding a tier exceed the seats owned (freed seats count as owned). */
export function resolveSeatShortfall(held: SeatCounts, owned: SeatCounts): SeatCounts {
  const short = zeroSeats();
  for (const tier of licenseTiers) short[tier] = Math.max(0, held[tier] - owned[tier]);
  return short;
}
