import { render, type ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { dashboardApi, type SessionInfo } from '../../src/api/dashboard-client.ts';
import '../../src/styles/base.css';
import { navigate, useRoute, type Route } from './router.ts';
import { useSession } from './session.ts';
import styles from './style.module.css';
import { AccountView, ForgotPasswordView, ResetPasswordView, VerifyEmailView } from './views/account-views.tsx';
import { LoginView, SignupView } from './views/auth-views.tsx';
import { IntegrationsView, OnboardingView } from './views/integrations-view.tsx';
import { AuditView } from './views/audit-view.tsx';
import { InviteView, JoinView } from './views/other-views.tsx';
import { TeamView } from './views/team-view.tsx';
import { UnmatchedView } from './views/unmatched-view.tsx';
import { WhatsAppView } from './views/whatsapp-view.tsx';

const PUBLIC_ROUTES = new Set<Route['name']>([
  'login',
  'signup',
  'invite',
  'join',
  'verify_email',
  'forgot_password',
  'reset_password',
  'not_found',
]);

/** An unknown URL (the server answers it with this page and status 404): say so, and offer the way home. */
function NotFoundView(props: { session: SessionInfo | null }) {
  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Page not found</h1>
      <p class={styles.lead}>
        Parley has no page at <code>{window.location.pathname}</code>. The link may be incomplete, or the page may have
        moved.
      </p>
      <a href="/">{props.session === null ? 'Go to Parley’s sign-in' : 'Go to your dashboard'}</a>
    </main>
  );
}

function TopBar(props: { session: SessionInfo | null; route: Route }) {
  const link = (href: string, label: string, name: Route['name']) => (
    <a
      href={href}
      aria-current={props.route.name === name ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(href);
      }}
    >
      {label}
    </a>
  );
  return (
    <header class={styles.bar}>
      <a class={styles.brand} href="/">
        Parley
      </a>
      {props.session === null ? null : (
        <nav class={styles.nav}>
          {link('/integrations/pipedrive', 'Pipedrive', 'integrations')}
          {link('/whatsapp', 'WhatsApp', 'whatsapp')}
          {link('/team', 'Team', 'team')}
          {link('/unmatched', 'Unmatched chats', 'unmatched')}
          {props.session.workspace?.role === 'member' ? null : link('/audit', 'Audit log', 'audit')}
          {link('/account', 'Account', 'account')}
        </nav>
      )}
      <span class={styles.spacer} />
      {props.session === null ? null : (
        <>
          <span class={styles.who}>{props.session.account.email}</span>
          <a
            href="/login"
            onClick={(event) => (
              event.preventDefault(),
              void dashboardApi.post('/api/auth/logout').then(() => window.location.assign('/login'))
            )}
          >
            Sign out
          </a>
        </>
      )}
    </header>
  );
}

function View(props: { route: Route; session: SessionInfo | null }): ComponentChildren {
  const { route, session } = props;
  if (route.name === 'login') return <LoginView />;
  if (route.name === 'signup') return <SignupView />;
  if (route.name === 'invite') return <InviteView token={route.token} session={session} />;
  if (route.name === 'join') return <JoinView workspaceId={route.workspaceId} session={session} />;
  if (route.name === 'verify_email') return <VerifyEmailView session={session} />;
  if (route.name === 'forgot_password') return <ForgotPasswordView />;
  if (route.name === 'reset_password') return <ResetPasswordView />;
  if (route.name === 'not_found') return <NotFoundView session={session} />;
  if (session === null) return null;
  if (route.name === 'account') return <AccountView session={session} />;
  if (session.workspace === null)
    return (
      <p>
        You are not a member of any workspace yet. Ask an admin for an invitation link, or install Parley from the
        Pipedrive Marketplace.
      </p>
    );
  switch (route.name) {
    case 'onboarding':
      return <OnboardingView session={session} />;
    case 'team':
      return <TeamView session={session} />;
    case 'whatsapp':
      return <WhatsAppView session={session} />;
    case 'audit':
      return <AuditView />;
    case 'unmatched':
      return <UnmatchedView />;
    case 'home':
    case 'integrations':
      return <IntegrationsView session={session} />;
  }
}

function Dashboard() {
  const route = useRoute();
  const { session } = useSession();
  const needsSession = !PUBLIC_ROUTES.has(route.name);
  useEffect(() => {
    if (session === null && needsSession)
      window.location.replace(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [session, needsSession]);
  if (session === undefined) return null;
  const wrap = (children: ComponentChildren) =>
    PUBLIC_ROUTES.has(route.name) ? children : <main class={styles.main}>{children}</main>;
  return (
    <div class={styles.shell}>
      <TopBar session={session} route={route} />
      {wrap(<View route={route} session={session} />)}
    </div>
  );
}

const container = document.getElementById('app');
if (container !== null) render(<Dashboard />, container);
