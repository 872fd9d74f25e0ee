import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { InvitationInfo } from '../../../../contracts/dashboard.schemas.ts';
import { dashboardApi, type SessionInfo } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import styles from '../style.module.css';

/** `/invite/:token`: accept with the invited email (signing up or in first when needed). */
export function InviteView(props: { token: string; session: SessionInfo | null }) {
  const [invitation, setInvitation] = useState<InvitationInfo | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    dashboardApi
      .get<InvitationInfo>(`/api/invitations/${props.token}`)
      .then(setInvitation)
      .catch((failure: unknown) => setError(messageOf(failure)));
  }, [props.token]);

  async function accept() {
    try {
      await dashboardApi.post(`/api/invitations/${props.token}/accept`);
      window.location.assign('/integrations/pipedrive');
    } catch (failure) {
      setError(messageOf(failure));
    }
  }

  // A public page: the shell adds no card around it, so it brings its own.
  const card = (children: ComponentChildren) => <main class={`${styles.main} ${styles.narrow}`}>{children}</main>;
  if (error !== undefined) return card(<Notice tone="error">{error}</Notice>);
  if (invitation === undefined) return card(<p>Loading…</p>);
  const query = `?invite=${encodeURIComponent(props.token)}&email=${encodeURIComponent(invitation.email)}`;
  return card(
    <>
      <h1 class={styles.title}>Join {invitation.workspaceName}</h1>
      <p class={styles.lead}>
        You are invited as {invitation.role} ({invitation.email}).
      </p>
      {props.session === null ? (
        <>
          <p class={styles.lead}>
            Is {invitation.email} your Pipedrive email? Then signing in with Pipedrive accepts the invitation at once,
            with no password to choose.
          </p>
          <Button kind="primary" onClick={() => window.location.assign('/oauth/install?purpose=sign_in')}>
            Sign in with Pipedrive
          </Button>
          <Button onClick={() => window.location.assign(`/signup${query}`)}>Create an account</Button>
          <Button onClick={() => window.location.assign(`/login${query}`)}>I have an account</Button>
        </>
      ) : (
        <Button kind="primary" onClick={() => void accept()}>
          Accept as {props.session.account.email}
        </Button>
      )}
    </>,
  );
}

/** `/join/:workspaceId`: ask a workspace's admins to let you in. */
export function JoinView(props: { workspaceId: string; session: SessionInfo | null }) {
  const [state, setState] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  if (props.session === null) {
    return (
      <>
        <h1 class={styles.title}>Ask to join a workspace</h1>
        <p class={styles.lead}>Sign in or create an account first.</p>
        <Button
          kind="primary"
          onClick={() => window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`)}
        >
          Sign in
        </Button>
      </>
    );
  }
  return (
    <>
      <h1 class={styles.title}>Ask to join this workspace</h1>
      {state === undefined ? null : <Notice tone={state.tone}>{state.text}</Notice>}
      <Button
        kind="primary"
        onClick={() =>
          void dashboardApi
            .post(`/api/team/join/${props.workspaceId}`)
            .then(() => setState({ tone: 'success', text: 'Request sent. An admin of the workspace must approve it.' }))
            .catch((failure: unknown) => setState({ tone: 'error', text: messageOf(failure) }))
        }
      >
        Ask to join as {props.session.account.email}
      </Button>
    </>
  );
}
