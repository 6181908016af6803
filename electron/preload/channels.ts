/**
 * The IPC channels between the main process and the preload script. Its own module because the sandboxed
 * preload can load nothing at run time but `electron` (it is bundled), so it must not pull in main's code.
 */
export const IPC = {
  /** Renderer → main: `{ method, args }`, answered with a `BridgeReply`. */
  call: 'bridge:call',
  /** Main → renderer: `{ event, payload }`, every engine event. */
  event: 'bridge:event',
  /** Main → renderer: `{ caseId }`, open this case (a notification was clicked). */
  navigate: 'app:navigate',
} as const;
