/** Row types of the ops payouts tables (mirrors its migration). */
// biome-ignore lint/complexity/noBannedTypes: filled in by the payouts module's migration
export type PayoutsTables = {};
