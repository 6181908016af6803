import type { AppContext } from '../../platform/context';

/** Support: its case kind and the events that open its cases. */
export function registerSupportOps(_ctx: AppContext): void {}
