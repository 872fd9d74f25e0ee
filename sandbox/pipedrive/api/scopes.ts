/**
 * Scopes each endpoint accepts (RD:marketplace-scopes-and-permissions-explanations; §1.4 of the
 * platform doc). Any one scope of a list grants access; `x:read` is also satisfied by `x:full`.
 */
export const SCOPES = {
  base: ['base'],
  usersRead: ['users:read'],
  contactsRead: ['contacts:read'],
  contactsFull: ['contacts:full'],
  dealsRead: ['deals:read'],
  dealsFull: ['deals:full'],
  leadsRead: ['leads:read'],
  leadsFull: ['leads:full'],
  activitiesRead: ['activities:read'],
  activitiesFull: ['activities:full'],
  /** Notes belong to both the deals and the contacts scopes. */
  notesRead: ['deals:read', 'contacts:read'],
  notesFull: ['deals:full', 'contacts:full'],
  /** `GET /persons/search` is listed under both `search:read` and `contacts:read`. */
  personSearch: ['search:read', 'contacts:read'],
  /** The other type searches likewise: `search:read` or the type's own read scope. */
  dealSearch: ['search:read', 'deals:read'],
  leadSearch: ['search:read', 'leads:read'],
  organizationSearch: ['search:read', 'contacts:read'],
  /** `itemSearch` spans every type: `search:read` only. */
  itemSearch: ['search:read'],
  /**
   * Activity types are covered by `activities:full`; `admin` also manages them. Which one Pipedrive
   * enforces for creating a type is unconfirmed, so either passes.
   */
  activityTypesFull: ['activities:full', 'admin'],
  /** The scope table lists `webhooks:*`; the webhooks-for-apps page still says `admin` (unconfirmed): either passes. */
  webhooksRead: ['webhooks:read', 'admin'],
  webhooksFull: ['webhooks:full', 'admin'],
} as const;
