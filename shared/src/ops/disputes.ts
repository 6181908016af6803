/** Contracts of the ops disputes area (filled in by its module). */
export const DISPUTES_ERRORS = {} as const;
export const DISPUTES_EVENTS = {} as const;
