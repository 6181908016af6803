/** Contracts of the ops moderation area (filled in by its module). */
export const MODERATION_ERRORS = {} as const;
export const MODERATION_EVENTS = {} as const;
