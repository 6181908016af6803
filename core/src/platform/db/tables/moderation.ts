/** Row types of the ops moderation tables (mirrors its migration). */
// biome-ignore lint/complexity/noBannedTypes: filled in by the moderation module's migration
export type ModerationTables = {};
