/**
 * The least the bench's data writers, its brute-force search check and the ceiling need from a database
 * connection: a parameterised query answering rows. A `pg` client or pool, a PGlite instance, and the
 * forked core's IPC channel (`CoreProcess.sql`, for the embedded database the core owns) all fit it.
 */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
