import { useEffect, useState } from 'preact/hooks';
import type { VerifyEmailReply } from '../../../../contracts/account.schemas.ts';
import { dashboardApi, type SessionInfo } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Field } from '../../../src/components/Field/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import styles from '../style.module.css';

type Feedback = { tone: 'success' | 'error' | 'info'; text: string } | undefined;

/**
 * Mailed links carry their token in the URL fragment (`#token=…`), which browsers never send to a
 * server: no access log holds it. The page reads it and then removes it from the address bar.
 */
function takeLinkToken(): string | undefined {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? undefined;
  if (token !== undefined) window.history.replaceState(null, '', window.location.pathname);
  return token;
}

/** A form's submit: post, then say what happened in words. */
function useSubmit(run: () => Promise<string>) {
  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<Feedback>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFeedback(undefined);
    try {
      setFeedback({ tone: 'success', text: await run() });
    } catch (failure) {
      setFeedback({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(false);
    }
  };
  // A success message describes what was sent; once the form is edited again it no longer does.
  const edited = () => setFeedback((current) => (current?.tone === 'success' ? undefined : current));
  return { busy, feedback, submit: (event: Event) => void submit(event), edited };
}

const CONFIRMED: Record<string, string> = {
  signed_up: 'Your email is confirmed and your account is ready. Sign in to start.',
  verified: 'Your email is verified.',
  email_changed: 'Your new email is confirmed: sign in with it from now on.',
};

/** `/verify-email#token=…`: confirms a sign-up, an address, or a new address. */
export function VerifyEmailView(props: { session: SessionInfo | null }) {
  const [feedback, setFeedback] = useState<Feedback>({ tone: 'info', text: 'Confirming…' });
  useEffect(() => {
    const token = takeLinkToken();
    if (token === undefined) {
      setFeedback({ tone: 'error', text: 'This link is incomplete. Open the link from the mail again.' });
      return;
    }
    dashboardApi
      .post<VerifyEmailReply>('/api/auth/verify-email', { token })
      .then((result) => setFeedback({ tone: 'success', text: CONFIRMED[result.kind] ?? 'Done.' }))
      .catch((failure: unknown) => setFeedback({ tone: 'error', text: messageOf(failure) }));
  }, []);
  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Confirm your email</h1>
      {feedback === undefined ? null : <Notice tone={feedback.tone}>{feedback.text}</Notice>}
      {feedback?.tone === 'success' ? (
        <Button kind="primary" onClick={() => window.location.assign(props.session === null ? '/login' : '/account')}>
          {props.session === null ? 'Sign in' : 'Back to your account'}
        </Button>
      ) : null}
    </main>
  );
}

/** `/forgot-password`: mails a reset link (the answer is the same whether or not the email has an account). */
export function ForgotPasswordView() {
  const [email, setEmail] = useState('');
  const { busy, feedback, submit } = useSubmit(async () => {
    await dashboardApi.post('/api/auth/password-reset', { email });
    return `If ${email} has a Parley account, a link to choose a new password is on its way. It works once, for an hour.`;
  });
  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Reset your password</h1>
      <p class={styles.lead}>We mail you a link to choose a new one.</p>
      {feedback === undefined ? null : <Notice tone={feedback.tone}>{feedback.text}</Notice>}
      <form onSubmit={submit}>
        <Field label="Email">
          <input
            type="email"
            required
            autocomplete="username"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          Send the link
        </Button>
      </form>
      <p class={styles.lead}>
        <a href="/login">Back to sign-in</a>
      </p>
    </main>
  );
}

/** `/reset-password#token=…`: chooses the new password; every session ends. */
export function ResetPasswordView() {
  const [token] = useState(takeLinkToken);
  const [password, setPassword] = useState('');
  const { busy, feedback, submit } = useSubmit(async () => {
    await dashboardApi.post('/api/auth/password-reset/confirm', { token: token ?? '', password });
    return 'Your password is changed, and every session was signed out. Sign in with the new password.';
  });
  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Choose a new password</h1>
      {token === undefined ? (
        <Notice tone="error">This link is incomplete. Open the link from the mail again.</Notice>
      ) : null}
      {feedback === undefined ? null : <Notice tone={feedback.tone}>{feedback.text}</Notice>}
      {feedback?.tone === 'success' ? (
        <Button kind="primary" onClick={() => window.location.assign('/login')}>
          Sign in
        </Button>
      ) : (
        <form onSubmit={submit}>
          <Field label="New password" hint="At least 10 characters.">
            <input
              type="password"
              required
              minLength={10}
              autocomplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
          <Button kind="primary" type="submit" busy={busy} disabled={token === undefined}>
            Set the password
          </Button>
        </form>
      )}
    </main>
  );
}

/** `/account`: the address (verified or not), changing it, and changing the password. */
export function AccountView(props: { session: SessionInfo }) {
  const { account } = props.session;
  const [newEmail, setNewEmail] = useState('');
  const [emailPassword, setEmailPassword] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const verification = useSubmit(async () => {
    await dashboardApi.post('/api/account/verify-email');
    return `We sent a link to ${account.email}.`;
  });
  const emailChange = useSubmit(async () => {
    await dashboardApi.post('/api/account/email', {
      newEmail,
      ...(account.hasPassword ? { currentPassword: emailPassword } : {}),
    });
    return `We sent a link to ${newEmail}. Your email changes once you open it; ${account.email} stays until then.`;
  });
  const passwordChange = useSubmit(async () => {
    await dashboardApi.post('/api/auth/password', {
      ...(account.hasPassword ? { currentPassword: current } : {}),
      password: next,
    });
    setCurrent('');
    setNext('');
    return 'Password changed. Every other session was signed out.';
  });
  const currentPasswordField = (value: string, set: (value: string) => void) =>
    account.hasPassword ? (
      <Field label="Current password">
        <input
          type="password"
          required
          autocomplete="current-password"
          value={value}
          onInput={(e) => set(e.currentTarget.value)}
        />
      </Field>
    ) : null;

  return (
    <>
      <h1 class={styles.title}>Your account</h1>
      <p class={styles.lead}>
        {account.name} · {account.email} {account.emailVerified ? '(verified)' : '(not verified)'}
      </p>
      {account.emailVerified ? null : (
        <form onSubmit={verification.submit}>
          <Notice tone="info">
            Verify your email: until then, invitations and Pipedrive installs for {account.email} do not reach this
            account.
          </Notice>
          {verification.feedback === undefined ? null : (
            <Notice tone={verification.feedback.tone}>{verification.feedback.text}</Notice>
          )}
          <Button type="submit" busy={verification.busy}>
            Send a verification link
          </Button>
        </form>
      )}

      <h2>Change your email</h2>
      {emailChange.feedback === undefined ? null : (
        <Notice tone={emailChange.feedback.tone}>{emailChange.feedback.text}</Notice>
      )}
      <form onSubmit={emailChange.submit} onInput={emailChange.edited}>
        <Field label="New email" hint="We mail it a link; the change takes effect once you open it.">
          <input type="email" required value={newEmail} onInput={(e) => setNewEmail(e.currentTarget.value)} />
        </Field>
        {currentPasswordField(emailPassword, setEmailPassword)}
        <Button kind="primary" type="submit" busy={emailChange.busy}>
          Change email
        </Button>
      </form>

      <h2>{account.hasPassword ? 'Change your password' : 'Set a password'}</h2>
      {account.hasPassword ? null : (
        <p class={styles.lead}>You sign in with Pipedrive. A password lets you sign in with your email too.</p>
      )}
      {passwordChange.feedback === undefined ? null : (
        <Notice tone={passwordChange.feedback.tone}>{passwordChange.feedback.text}</Notice>
      )}
      <form onSubmit={passwordChange.submit} onInput={passwordChange.edited}>
        {currentPasswordField(current, setCurrent)}
        <Field label="New password" hint="At least 10 characters. Other sessions are signed out.">
          <input
            type="password"
            required
            minLength={10}
            autocomplete="new-password"
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </Field>
        <Button kind="primary" type="submit" busy={passwordChange.busy}>
          {account.hasPassword ? 'Change password' : 'Set password'}
        </Button>
      </form>
    </>
  );
}
