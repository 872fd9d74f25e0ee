import { useEffect, useState } from 'preact/hooks';
import type { SettingsOptions } from '../../../contracts/panel.schemas.ts';
import { messageOf } from '../../src/api/http.ts';
import type { PanelApi } from '../../src/api/panel-client.ts';
import { Field } from '../../src/components/Field/index.tsx';

export function useSettingsOptions(api: PanelApi, enabled: boolean) {
  const [options, setOptions] = useState<SettingsOptions | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return;
    api
      .get<SettingsOptions>('/api/panel/settings/options')
      .then(setOptions)
      .catch((failure: unknown) => setError(messageOf(failure)));
  }, [api, enabled]);
  return { options, error };
}

/** A select of Pipedrive records by id; keeps a stored id that is not in the list visible. */
export function RecordPicker<T extends string | number>(props: {
  label: string;
  value: T | null;
  choices: { id: T; name: string }[];
  emptyLabel: string;
  onChange: (value: T | null) => void;
}) {
  const known = props.value === null || props.choices.some((choice) => choice.id === props.value);
  return (
    <Field label={props.label}>
      <select
        value={props.value === null ? '' : String(props.value)}
        onChange={(event) => {
          const raw = event.currentTarget.value;
          const choice = props.choices.find((candidate) => String(candidate.id) === raw);
          props.onChange(choice === undefined ? null : choice.id);
        }}
      >
        <option value="">{props.emptyLabel}</option>
        {known ? null : <option value={String(props.value)}>#{String(props.value)} (no longer in Pipedrive)</option>}
        {props.choices.map((choice) => (
          <option key={String(choice.id)} value={String(choice.id)}>
            {choice.name}
          </option>
        ))}
      </select>
    </Field>
  );
}
