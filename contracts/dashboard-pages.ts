/** Plain data (no TypeBox), so the dashboard's router can import it without bundling TypeBox. */

/** Client-side routes of the dashboard app; the server serves the same page at each. */
export const DASHBOARD_PAGES = {
  home: '/',
  login: '/login',
  signup: '/signup',
  onboarding: '/onboarding',
  integrations: '/integrations/pipedrive',
  whatsapp: '/whatsapp',
  team: '/team',
  audit: '/audit',
  unmatched: '/unmatched',
  account: '/account',
  verify_email: '/verify-email',
  forgot_password: '/forgot-password',
  reset_password: '/reset-password',
} as const;
/** Pages with a parameter: `/invite/<token>`, `/join/<workspaceId>`. */
export const DASHBOARD_PARAM_PAGES = { invite: '/invite/:token', join: '/join/:workspaceId' } as const;
