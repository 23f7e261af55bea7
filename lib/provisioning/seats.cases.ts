import type { SeatCounts } from "./seats";

/**
 * The seat-shortfall rule as examples: seats held and owned per tier → seats to buy. Shared by the rule's two
 * implementations, `resolveSeatShortfall` (the mapping preview) and the purchase statement `buySeatsShort`, which
 * computes it under the seats lock in the users write's batch; each is tested against every row.
 */
export const shortfallCases: [held: SeatCounts, owned: SeatCounts, short: SeatCounts][] = [
  [{ starter: 3, team: 0, enterprise: 0 }, { starter: 5, team: 0, enterprise: 0 }, { starter: 0, team: 0, enterprise: 0 }],
  [{ starter: 7, team: 2, enterprise: 1 }, { starter: 5, team: 2, enterprise: 0 }, { starter: 2, team: 0, enterprise: 1 }],
  [{ starter: 0, team: 0, enterprise: 0 }, { starter: 5, team: 3, enterprise: 2 }, { starter: 0, team: 0, enterprise: 0 }],
  [{ starter: 4, team: 9, enterprise: 3 }, { starter: 1, team: 2, enterprise: 3 }, { starter: 3, team: 7, enterprise: 0 }],
];
