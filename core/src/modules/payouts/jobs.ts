/**
 * The payouts jobs another module schedules (pg-boss): executing approved payouts through the gateway
 * and the daily reconciliation of the ledger against the gateway statement. Both are safe to run on
 * several instances at once and to run again.
 */
export { executeDuePayouts } from './execute';
export { reconcileDay, type StatementSource, sandboxStatementSource } from './reconcile';
