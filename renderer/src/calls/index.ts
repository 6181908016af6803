/**
 * The renderer's data layer: every read a screen shows (`useQuery`, `useBridgeQuery`) and every change it
 * sends (`useAction`, `useBridgeMutation`) with its loading or busy state and its problem in the
 * person's language. Features call these rather than keeping their own flags and catching errors.
 */
export { type Action, type ActionOptions, useAction, useBridgeMutation } from './action';
export { currentVersionOf, type Outcome, problemOf, settle } from './problem';
export { type Query, type QueryOptions, useBridgeQuery, useQuery } from './query';
