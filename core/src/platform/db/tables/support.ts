/** Row types of the ops support tables (mirrors its migration). */
// biome-ignore lint/complexity/noBannedTypes: filled in by the support module's migration
export type SupportTables = {};
