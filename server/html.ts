/**
 * Parley's one HTML escaper, used by the server's own pages and by the sandbox's pages.
 * Server-rendered HTML with escaping by default: every value interpolated into `html\`…\`` is
 * escaped unless it is itself the result of `html` (or `raw`). Arrays are joined, and null,
 * undefined and false render nothing, so conditional fragments read naturally.
 */
export interface SafeHtml {
  readonly __html: string;
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && '__html' in value;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.__html;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { __html: out };
}

/** Trusted markup (inline CSS, JSON for a script tag). Never pass user input. */
export function raw(markup: string): SafeHtml {
  return { __html: markup };
}

/** JSON embedded in a `<script type="application/json">`: `<` is escaped so `</script>` cannot end it. */
export function jsonForScript(value: unknown): SafeHtml {
  return raw(JSON.stringify(value).replace(/</g, '\\u003c'));
}
