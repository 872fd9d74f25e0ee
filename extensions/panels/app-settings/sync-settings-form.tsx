import type { SavedSettingsReply, SettingsReply, SyncSettings } from '../../../contracts/panel.schemas.ts';
import { type AppExtensionsSDK, Command } from '../../src/sdk/app-extensions-sdk.ts';
import { useEffect, useState } from 'preact/hooks';
import { messageOf } from '../../src/api/http.ts';
import type { PanelApi } from '../../src/api/panel-client.ts';
import { Button } from '../../src/components/Button/index.tsx';
import { Field } from '../../src/components/Field/index.tsx';
import { Notice } from '../../src/components/Notice/index.tsx';
import { Section } from '../../src/components/Section/index.tsx';
import { RecordPicker, useSettingsOptions } from './settings-options.tsx';
import styles from './style.module.css';
import { TIMELINE_UPDATE_INTERVALS } from '../../../contracts/sync-settings-defaults.ts';

function intervalLabel(seconds: number): string {
  if (seconds === 0) return 'As messages arrive';
  return `At most every ${seconds < 60 ? `${seconds} seconds` : `${seconds / 60} minutes`}`;
}

/** The company's sync settings; Pipedrive admins edit, everyone else reads. */
export function SyncSettingsForm(props: { sdk: AppExtensionsSDK; api: PanelApi }) {
  const [settings, setSettings] = useState<SyncSettings | undefined>(undefined);
  const [canEdit, setCanEdit] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const { options, error: optionsError } = useSettingsOptions(props.api, canEdit);

  useEffect(() => {
    props.api
      .get<SettingsReply>('/api/panel/settings')
      .then((loaded) => {
        setSettings(loaded.settings);
        setCanEdit(loaded.canEdit);
      })
      .catch((failure: unknown) => setNotice({ tone: 'error', text: messageOf(failure) }));
  }, [props.api]);

  if (settings === undefined) return notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>;
  const pipelines = options?.pipelines ?? [];
  const update = (patch: Partial<SyncSettings>) => {
    setSettings({ ...settings, ...patch });
    // "Settings saved." describes what was saved; after another edit it would be untrue.
    setNotice((current) => (current?.tone === 'success' ? undefined : current));
  };

  async function save(event: Event) {
    event.preventDefault();
    if (settings === undefined) return;
    setSaving(true);
    setNotice(undefined);
    try {
      const saved = await props.api.put<SavedSettingsReply>('/api/panel/settings', settings);
      setSettings(saved.settings);
      setNotice({ tone: 'success', text: 'Settings saved.' });
      await props.sdk.execute(Command.SHOW_SNACKBAR, { message: 'Parley settings saved' });
    } catch (failure) {
      setNotice({ tone: 'error', text: messageOf(failure) });
    } finally {
      setSaving(false);
    }
  }

  return (
    <Section title="Sync settings">
      {notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>}
      {canEdit ? null : <p class={styles.muted}>Only Pipedrive admins can change these settings.</p>}
      {optionsError === undefined ? null : (
        <Notice tone="error">Parley could not read your pipelines and users from Pipedrive: {optionsError}</Notice>
      )}
      <form onSubmit={(event) => void save(event)}>
        <fieldset disabled={!canEdit || saving} style={{ border: 0, padding: 0, margin: 0 }}>
          <Field label="Contacts">
            <label>
              <input
                type="checkbox"
                checked={settings.autoCreatePersons}
                onChange={(e) => update({ autoCreatePersons: e.currentTarget.checked })}
              />{' '}
              Create a Pipedrive person for a new WhatsApp contact
            </label>
            <br />
            <label>
              <input
                type="checkbox"
                checked={settings.skipGroups}
                onChange={(e) => update({ skipGroups: e.currentTarget.checked })}
              />{' '}
              Skip group chats
            </label>
          </Field>
          <Field
            label="Never sync these numbers"
            hint="One per line, in international format; a prefix such as +1800 excludes every number starting with it."
          >
            <textarea
              rows={3}
              value={settings.exclusions.join('\n')}
              onInput={(e) =>
                update({
                  exclusions: e.currentTarget.value
                    .split('\n')
                    .map((line) => line.trim())
                    .filter((line) => line !== ''),
                })
              }
            />
          </Field>
          <Field label="For a new conversation, create">
            <select
              value={settings.createOnNewChat}
              onChange={(e) => update({ createOnNewChat: e.currentTarget.value as SyncSettings['createOnNewChat'] })}
            >
              <option value="nothing">Nothing</option>
              <option value="deal">A deal</option>
              <option value="lead">A lead</option>
            </select>
          </Field>
          {settings.createOnNewChat === 'deal' ? (
            <div class={styles.grid}>
              <RecordPicker
                label="Pipeline"
                value={settings.dealPipelineId}
                choices={pipelines}
                emptyLabel="Choose a pipeline"
                onChange={(id) =>
                  update({ dealPipelineId: id, dealStageId: pipelines.find((p) => p.id === id)?.stages[0]?.id ?? null })
                }
              />
              <RecordPicker
                label="Stage"
                value={settings.dealStageId}
                choices={pipelines.find((pipeline) => pipeline.id === settings.dealPipelineId)?.stages ?? []}
                emptyLabel="Choose a stage"
                onChange={(id) => update({ dealStageId: id })}
              />
              <Field label="Deal title" hint="{{contact_name}} and {{phone}} are replaced.">
                <input
                  value={settings.dealTitleTemplate}
                  onInput={(e) => update({ dealTitleTemplate: e.currentTarget.value })}
                />
              </Field>
            </div>
          ) : null}
          {settings.createOnNewChat === 'lead' ? (
            <div class={styles.grid}>
              <Field label="Lead title" hint="{{contact_name}} and {{phone}} are replaced.">
                <input
                  value={settings.leadTitleTemplate}
                  onInput={(e) => update({ leadTitleTemplate: e.currentTarget.value })}
                />
              </Field>
              <RecordPicker
                label="Lead label"
                value={settings.leadLabelId}
                choices={options?.leadLabels ?? []}
                emptyLabel="No label"
                onChange={(id) => update({ leadLabelId: id })}
              />
            </div>
          ) : null}
          <Field label="Owner of what Parley creates">
            <select
              value={settings.ownerRule}
              onChange={(e) => update({ ownerRule: e.currentTarget.value as SyncSettings['ownerRule'] })}
            >
              <option value="channel_owner">The WhatsApp number’s owner (else the org connector)</option>
              <option value="fixed_user">A fixed Pipedrive user</option>
              <option value="round_robin">Round-robin among connected users</option>
            </select>
          </Field>
          {settings.ownerRule === 'fixed_user' ? (
            <RecordPicker
              label="Owner"
              value={settings.fixedOwnerUserId}
              choices={options?.users ?? []}
              emptyLabel="Choose a Pipedrive user"
              onChange={(id) => update({ fixedOwnerUserId: id })}
            />
          ) : null}
          <Field label="On the timeline, record each chat-day as">
            <select
              value={settings.timelineMode}
              onChange={(e) => update({ timelineMode: e.currentTarget.value as SyncSettings['timelineMode'] })}
            >
              <option value="note">A note (transcript)</option>
              <option value="activity">A done activity</option>
            </select>
          </Field>
          <Field
            label="Update an active chat's timeline entry"
            hint="Each update spends Pipedrive API budget; the chat panel is live either way."
          >
            <select
              value={String(settings.timelineUpdateIntervalSeconds)}
              onChange={(e) =>
                update({
                  timelineUpdateIntervalSeconds: Number(
                    e.currentTarget.value,
                  ) as SyncSettings['timelineUpdateIntervalSeconds'],
                })
              }
            >
              {TIMELINE_UPDATE_INTERVALS.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {intervalLabel(seconds)}
                </option>
              ))}
            </select>
          </Field>
          {canEdit ? (
            <Button kind="primary" type="submit" busy={saving}>
              Save settings
            </Button>
          ) : null}
        </fieldset>
      </form>
    </Section>
  );
}
