/** Contracts of the ops support area (filled in by its module). */
export const SUPPORT_ERRORS = {} as const;
export const SUPPORT_EVENTS = {} as const;
