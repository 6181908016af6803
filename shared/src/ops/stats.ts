/** Contracts of the ops stats area (filled in by its module). */
export const STATS_ERRORS = {} as const;
export const STATS_EVENTS = {} as const;
