/** Messages per page of a chat. */
export const MESSAGES_PAGE = 30;

/** A chat's panel API, under which its messages, read mark, media and pin live. */
export const chatPath = (chatId: string) => `/api/panel/chats/${encodeURIComponent(chatId)}`;

/** The newest page of a chat: what a chat shows first and reloads when it changes. */
export const latestMessagesPath = (chatId: string) => `${chatPath(chatId)}/messages?limit=${MESSAGES_PAGE}`;
