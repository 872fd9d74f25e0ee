/** The sandbox's stylesheet (served at /sandbox-assets/pipedrive.css): Pipedrive-like, light and dark. */
export const PIPEDRIVE_CSS = `
:root {
  --bg: #f5f5f6; --surface: #ffffff; --text: #21232c; --muted: #6a6f7f; --border: #e0e1e5;
  --brand: #017737; --brand-strong: #015c2a; --accent: #2f6fdb; --danger: #d5293c; --warning: #b96b00;
  --topbar: #ffffff; --topbar-text: #21232c; --shadow: 0 1px 3px rgba(0, 0, 0, 0.12);
  color-scheme: light;
}
:root[data-theme='dark'] {
  --bg: #17181c; --surface: #22242a; --text: #e8e9ed; --muted: #a0a4b2; --border: #383b44;
  --brand: #34b36a; --brand-strong: #52c985; --accent: #6d9cf0; --danger: #f0606f; --warning: #f0b35c;
  --topbar: #1d1f24; --topbar-text: #e8e9ed; --shadow: 0 1px 3px rgba(0, 0, 0, 0.5);
  color-scheme: dark;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 12px; }
code, .mono { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: 13px; }
.topbar { display: flex; align-items: center; gap: 16px; padding: 0 16px; height: 56px; background: var(--topbar);
  color: var(--topbar-text); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 20; }
.logo { font-weight: 700; font-size: 18px; color: var(--topbar-text); text-decoration: none; white-space: nowrap; }
.logo span { color: var(--brand); font-weight: 500; font-size: 12px; margin-left: 6px; text-transform: uppercase; letter-spacing: .05em; }
.nav { display: flex; gap: 4px; flex: 1; }
.nav a { color: var(--topbar-text); text-decoration: none; padding: 6px 10px; border-radius: 6px; }
.nav a:hover { background: var(--bg); }
.nav a[aria-current='page'] { background: var(--bg); font-weight: 600; box-shadow: inset 0 -2px 0 var(--brand); }
.who { display: flex; align-items: center; gap: 10px; font-size: 13px; }
.who strong { display: block; }
.who small { color: var(--muted); display: block; }
.avatar { width: 32px; height: 32px; border-radius: 50%; background: var(--brand); color: #fff; display: grid; place-items: center; font-weight: 600; }
.page { max-width: 1180px; margin: 0 auto; padding: 24px 16px 80px; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 20px; box-shadow: var(--shadow); margin-bottom: 16px; }
.muted { color: var(--muted); }
.button, button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid var(--border); background: var(--surface);
  color: var(--text); padding: 6px 14px; text-decoration: none; display: inline-block; }
.button.primary, button.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
.button.primary:hover, button.primary:hover { background: var(--brand-strong); }
.button.negative, button.negative { background: var(--danger); border-color: var(--danger); color: #fff; }
.button.link, button.link { border: 0; background: none; color: var(--accent); padding: 0; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; }
table { width: 100%; border-collapse: collapse; background: var(--surface); }
th, td { text-align: left; padding: 10px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: var(--bg); border: 1px solid var(--border); }
.badge.ok { color: var(--brand); border-color: var(--brand); }
.badge.warn { color: var(--warning); border-color: var(--warning); }
.notice { border-left: 4px solid var(--accent); }
.notice.error { border-left-color: var(--danger); }
.notice.ok { border-left-color: var(--brand); }
dl.fields { display: grid; grid-template-columns: 120px 1fr; gap: 6px 12px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; }
.detail { display: grid; grid-template-columns: 360px 1fr; gap: 16px; align-items: start; }
.sidebar { display: flex; flex-direction: column; gap: 12px; }
.pd-panel { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; overflow: hidden; }
.pd-panel > header { display: flex; align-items: center; justify-content: space-between; padding: 8px 12px; border-bottom: 1px solid var(--border); }
.pd-panel-toggle { border: 0; background: none; padding: 0; font-weight: 600; display: flex; gap: 6px; align-items: center; width: 100%; text-align: left; }
.pd-panel-toggle::before { content: '\\25BE'; color: var(--muted); }
.pd-panel-toggle[aria-expanded='false']::before { content: '\\25B8'; }
.pd-panel-body[hidden] { display: none; }
.pd-frame { display: block; width: 100%; border: 0; background: transparent; }
.pd-hint { padding: 12px; color: var(--muted); }
.pd-ext-error { padding: 16px; text-align: center; color: var(--muted); }
.pd-ext-error strong { display: block; color: var(--text); font-size: 15px; }
.settings-frame { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; min-height: 200px; }
.dock { display: flex; gap: 6px; }
.pd-dock-button { position: relative; width: 34px; height: 34px; padding: 0; border-radius: 8px; font-weight: 700; }
.pd-dock-button[aria-pressed='true'] { background: var(--brand); color: #fff; border-color: var(--brand); }
.pd-badge { position: absolute; top: -6px; right: -6px; min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px;
  background: var(--danger); color: #fff; font-size: 11px; line-height: 18px; }
.pd-floating { position: fixed; right: 16px; bottom: 16px; z-index: 30; background: var(--surface); border: 1px solid var(--border);
  border-radius: 10px; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.25); display: flex; flex-direction: column; overflow: hidden; }
.pd-floating[hidden] { display: none; }
.pd-floating > header { display: flex; justify-content: space-between; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--border); font-weight: 600; }
.pd-floating iframe { flex: none; }
.pd-snackbars { position: fixed; left: 16px; bottom: 16px; z-index: 60; display: flex; flex-direction: column; gap: 8px; }
.pd-snackbar { background: #21232c; color: #fff; padding: 10px 16px; border-radius: 6px; box-shadow: var(--shadow); display: flex; gap: 16px; }
.pd-snackbar a { color: #8fd3a8; font-weight: 600; }
dialog { border: 1px solid var(--border); border-radius: 10px; background: var(--surface); color: var(--text); padding: 0; box-shadow: 0 12px 40px rgba(0, 0, 0, 0.3); }
dialog::backdrop { background: rgba(0, 0, 0, 0.45); }
.pd-confirm { width: 420px; max-width: 90vw; }
.pd-confirm > div { padding: 20px; }
.pd-confirm footer, .pd-modal header { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 20px; border-top: 1px solid var(--border); }
.pd-modal header { justify-content: space-between; border-top: 0; border-bottom: 1px solid var(--border); padding: 8px 12px; }
.pd-modal iframe { display: block; border: 0; }
.steps { counter-reset: step; list-style: none; padding: 0; margin: 0; }
.steps > li { counter-increment: step; position: relative; padding: 16px 16px 16px 64px; }
.steps > li::before { content: counter(step); position: absolute; left: 16px; top: 16px; width: 32px; height: 32px; border-radius: 50%;
  background: var(--brand); color: #fff; display: grid; place-items: center; font-weight: 700; }
.steps > li.done::before { content: '\\2713'; }
.credentials { display: grid; grid-template-columns: 180px 1fr; gap: 6px 12px; margin: 8px 0; }
.credentials dd { margin: 0; word-break: break-all; display: flex; gap: 8px; align-items: flex-start; }
.credentials dd code { flex: 1; }
.credentials button.copy { flex: none; padding: 2px 10px; font-size: 12px; }
.start-records { margin: 4px 0 10px; padding-left: 20px; }
.users { display: grid; gap: 8px; }
.user-choice { display: flex; justify-content: space-between; align-items: center; width: 100%; text-align: left; padding: 12px 14px; }
.consent { max-width: 520px; margin: 48px auto; }
.scopes li { margin: 4px 0; }
@media (max-width: 860px) { .detail { grid-template-columns: 1fr; } .nav { overflow-x: auto; } }
`;
