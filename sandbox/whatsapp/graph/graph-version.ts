/** Route segment for any Graph version (`v23.0`, `v17.0`, …): Parley pins one in its config. */
export const VERSION = ':version(^v\\d+\\.\\d+$)';
