/** Contracts of the ops payouts area (filled in by its module). */
export const PAYOUTS_ERRORS = {} as const;
export const PAYOUTS_EVENTS = {} as const;
