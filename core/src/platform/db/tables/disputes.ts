/** Row types of the ops disputes tables (mirrors its migration). */
// biome-ignore lint/complexity/noBannedTypes: filled in by the disputes module's migration
export type DisputesTables = {};
