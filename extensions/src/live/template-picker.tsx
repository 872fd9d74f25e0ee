import { useMemo, useState } from 'preact/hooks';
import type { SendMessageBody, TemplateFill, TemplateSummary } from '../../../contracts/panel-chat.ts';
import styles from './style.module.css';
import { prefill, renderTemplate, templateBody, templateVariables } from './template-variables.ts';

const FILL_LABELS: [keyof TemplateFill, string][] = [
  ['personName', 'Person name'],
  ['firstName', 'First name'],
  ['dealTitle', 'Deal title'],
  ['dealValue', 'Deal value'],
  ['ownerName', 'Owner'],
  ['viewerName', 'You'],
];

/**
 * Pick an approved template; its variables come pre-filled from Pipedrive and stay editable.
 * Sending is refused until every variable has a value (WhatsApp rejects a count mismatch, 132000).
 */
export function TemplatePicker(props: {
  templates: TemplateSummary[];
  fill: TemplateFill;
  sending: boolean;
  onCancel: () => void;
  onSend: (body: SendMessageBody) => void;
}) {
  const [templateId, setTemplateId] = useState(props.templates[0]?.id ?? '');
  const template = props.templates.find((candidate) => candidate.id === templateId);
  const body = template === undefined ? '' : templateBody(template);
  const names = useMemo(() => templateVariables(body), [body]);
  const [values, setValues] = useState<Record<string, string>>(() => prefill(names, props.fill));
  const [shownFor, setShownFor] = useState(templateId);
  if (shownFor !== templateId) {
    setShownFor(templateId);
    setValues(prefill(names, props.fill));
  }
  const missing = names.filter((name) => (values[name] ?? '').trim() === '');
  const suggestions = FILL_LABELS.flatMap(([key, label]) => {
    const value = props.fill[key];
    return value === null || value === '' ? [] : [{ value, label }];
  });

  return (
    <form
      class={styles.picker}
      aria-label="Send a template"
      onSubmit={(event) => {
        event.preventDefault();
        if (template === undefined || missing.length > 0) return;
        const parameters = names.map((name) => ({
          type: 'text' as const,
          text: (values[name] ?? '').trim(),
          ...(/^\d+$/.test(name) ? {} : { parameter_name: name }),
        }));
        props.onSend({
          template: {
            name: template.name,
            language: template.language,
            components: parameters.length === 0 ? [] : [{ type: 'body', parameters }],
          },
        });
      }}
    >
      <label class={styles.field}>
        Template
        <select value={templateId} onChange={(event) => setTemplateId(event.currentTarget.value)}>
          {props.templates.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name} ({candidate.language})
            </option>
          ))}
        </select>
      </label>
      <datalist id="parley-fill-values">
        {suggestions.map((suggestion) => (
          <option key={suggestion.label} value={suggestion.value} label={suggestion.label} />
        ))}
      </datalist>
      {names.map((name) => (
        <label key={name} class={styles.field}>
          {/^\d+$/.test(name) ? `Variable {{${name}}}` : name.replace(/_/g, ' ')}
          <input
            list="parley-fill-values"
            value={values[name] ?? ''}
            aria-invalid={(values[name] ?? '').trim() === ''}
            onInput={(event) => {
              const value = event.currentTarget.value;
              setValues((current) => ({ ...current, [name]: value }));
            }}
          />
        </label>
      ))}
      <p class={styles.preview} aria-label="Preview">
        {renderTemplate(body, values)}
      </p>
      {missing.length > 0 ? (
        <p class={styles.muted} role="status">
          Fill in every variable before sending.
        </p>
      ) : null}
      <div class={styles.actions}>
        <button type="button" class={styles.secondary} onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          class={styles.primary}
          disabled={props.sending || missing.length > 0 || template === undefined}
        >
          {props.sending ? 'Sending…' : 'Send template'}
        </button>
      </div>
    </form>
  );
}
