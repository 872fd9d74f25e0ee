/**
 * The seam between the two halves of the sync engine: the transcript writer asks the resolver which
 * Pipedrive records a chat belongs to before it writes the day's note or activity.
 */
export type ChatLinkResolution =
  | { kind: 'linked'; personId: number; dealId: number | null; leadId: string | null }
  /** Nothing to write for now: excluded number, group chat, several matching persons (queued for a human), … */
  | { kind: 'skipped'; reason: string };

export interface ChatLinkResolver {
  /**
   * Resolves the chat's person (stored link → pinned person → phone search → creation per settings)
   * and its deal or lead (pinned deal → stored link → creation per settings), remembers the links on
   * the chat, and returns them. Idempotent: a retried call finds what an earlier one created.
   */
  resolve(chatId: string): Promise<ChatLinkResolution>;
}
