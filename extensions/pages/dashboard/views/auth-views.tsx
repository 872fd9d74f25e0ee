import { useState } from 'preact/hooks';
import { dashboardApi } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Field } from '../../../src/components/Field/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { safeNext } from '../router.ts';
import styles from '../style.module.css';

const params = () => new URLSearchParams(window.location.search);

/** Where to go after signing in: a parked Pipedrive install, an invitation, or `next`. */
function afterSignIn(): string {
  const resume = params().get('resume');
  if (resume !== null && /^[0-9a-f-]{36}$/.test(resume)) return `/oauth/resume/${resume}`;
  const invite = params().get('invite');
  if (invite !== null && /^[A-Za-z0-9_-]+$/.test(invite)) return `/invite/${invite}`;
  return safeNext(params().get('next'), '/integrations/pipedrive');
}

/** A sign-in form's submit: post, then continue where the user was going; errors in words. */
function signInWith(
  post: () => Promise<unknown>,
  setBusy: (busy: boolean) => void,
  setError: (error: string | undefined) => void,
) {
  return async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post();
      window.location.assign(afterSignIn());
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  };
}

export function LoginView() {
  const [email, setEmail] = useState(params().get('email') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const resuming = params().get('resume') !== null;

  const submit = signInWith(() => dashboardApi.post('/api/auth/login', { email, password }), setBusy, setError);

  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Sign in to Parley</h1>
      {resuming ? (
        <Notice tone="info">
          You already have a Parley account with this email. Sign in once to finish installing Parley for your Pipedrive
          company.
        </Notice>
      ) : null}
      {error === undefined ? null : <Notice tone="error">{error}</Notice>}
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Email">
          <input
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label="Password">
          <input
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          Sign in
        </Button>
        <a href="/oauth/install?purpose=sign_in">Sign in with Pipedrive</a>
      </form>
      <p class={styles.lead}>
        <a href="/forgot-password">Forgot your password?</a>
      </p>
      <p class={styles.lead}>
        New to Parley? <a href={`/signup${window.location.search}`}>Create an account</a>, or install Parley from the
        Pipedrive Marketplace.
      </p>
    </main>
  );
}

export function SignupView() {
  const [form, setForm] = useState({ name: '', email: params().get('email') ?? '', password: '', workspaceName: '' });
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (event: { currentTarget: HTMLInputElement }) =>
    setForm({ ...form, [key]: event.currentTarget.value });

  const [sentTo, setSentTo] = useState<string | undefined>(undefined);
  // Joining through an invitation: the workspace exists, so no name is asked for.
  const joining = params().get('invite') !== null;

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { workspaceName, ...person } = form;
      await dashboardApi.post('/api/auth/signup', joining ? person : { ...person, workspaceName });
      setSentTo(form.email);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo !== undefined)
    return (
      <main class={`${styles.main} ${styles.narrow}`}>
        <h1 class={styles.title}>Check your email</h1>
        <Notice tone="success">
          We sent a link to {sentTo}. Open it to confirm your address and create your account; then sign in
          {joining ? ' and open your invitation link again to join.' : '.'}
        </Notice>
        <p class={styles.lead}>
          Nothing arrived after a few minutes? Check your spam folder, or <a href="/signup">try again</a>. If you
          already have an account, we sent you a reminder instead.
        </p>
      </main>
    );

  return (
    <main class={`${styles.main} ${styles.narrow}`}>
      <h1 class={styles.title}>Create your Parley account</h1>
      <p class={styles.lead}>Use the same email as in Pipedrive: that is how Parley matches you.</p>
      {error === undefined ? null : <Notice tone="error">{error}</Notice>}
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Your name">
          <input required autocomplete="name" value={form.name} onInput={set('name')} />
        </Field>
        <Field label="Email">
          <input type="email" required autocomplete="email" value={form.email} onInput={set('email')} />
        </Field>
        <Field label="Password" hint="At least 10 characters.">
          <input
            type="password"
            required
            minLength={10}
            autocomplete="new-password"
            value={form.password}
            onInput={set('password')}
          />
        </Field>
        {joining ? null : (
          <Field label="Workspace name" hint="Usually your company or team.">
            <input required value={form.workspaceName} onInput={set('workspaceName')} />
          </Field>
        )}
        <Button kind="primary" type="submit" busy={busy}>
          Create account
        </Button>
      </form>
      <p class={styles.lead}>
        Already have an account? <a href={`/login${window.location.search}`}>Sign in</a>
      </p>
    </main>
  );
}
