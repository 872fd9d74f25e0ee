import { html, raw, type SafeHtml } from '../../../server/html.ts';

export { html, type SafeHtml };

const STYLE = `
:root { --green:#008069; --green-dark:#005c4b; --bg:#f0f2f5; --ink:#111b21; --muted:#667781; --line:#e9edef; --blue:#53bdeb; --danger:#c0392b; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
a { color:var(--green); }
header.top { background:var(--green); color:#fff; padding:10px 20px; display:flex; gap:20px; align-items:center; }
header.top strong { font-size:16px; margin-right:auto; }
header.top a { color:#fff; text-decoration:none; opacity:.9; }
header.top a[aria-current] { opacity:1; border-bottom:2px solid #fff; }
main { max-width:1100px; margin:20px auto; padding:0 16px; }
.card { background:#fff; border-radius:10px; padding:16px 18px; box-shadow:0 1px 2px rgba(0,0,0,.08); margin-bottom:16px; }
h1 { font-size:22px; margin:0 0 4px; } h2 { font-size:17px; margin:0 0 10px; }
.muted { color:var(--muted); font-size:13px; }
label { display:block; font-size:13px; color:var(--muted); margin:8px 0 2px; }
input[type=text], input[type=url], input[type=tel], select { width:100%; padding:8px 10px; border:1px solid #d1d7db; border-radius:8px; font:inherit; }
button, .button { background:var(--green); color:#fff; border:0; border-radius:8px; padding:8px 14px; font:inherit; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:var(--green); border:1px solid var(--green); }
button.link { background:none; color:var(--green); padding:0 4px; font-size:12px; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; word-break:break-all; }
table { width:100%; border-collapse:collapse; font-size:13px; }
td, th { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
.ok { color:var(--green); font-weight:600; } .bad { color:var(--danger); font-weight:600; }
.notice { padding:10px 12px; border-radius:8px; margin-bottom:12px; }
.notice.ok { background:#e7f6ee; } .notice.bad { background:#fdecea; }
`;

/** The sandbox's WhatsApp pages share one frame: title, navigation, styles. */
export function renderPage(options: {
  title: string;
  current: 'phone' | 'dashboard';
  body: SafeHtml;
  extraStyle?: string;
  script?: string;
}): string {
  const nav = (href: string, label: string, key: string) =>
    html`<a href="${href}" ${key === options.current ? html`aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Parley sandbox</title>
        <style>
          ${raw(STYLE + (options.extraStyle ?? ''))}
        </style>
      </head>
      <body>
        <header class="top">
          <strong>Parley sandbox · WhatsApp</strong>
          ${nav('/whatsapp/phone', 'Customer phone', 'phone')}
          ${nav('/whatsapp/apps', 'Meta app dashboard', 'dashboard')}
          <a href="/start">Start here</a>
        </header>
        <main>${options.body}</main>
        ${
          options.script
            ? html`<script>
                ${raw(options.script)};
              </script>`
            : ''
        }
      </body>
    </html>`.__html;
}
