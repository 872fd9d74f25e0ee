import type { ComponentChildren } from 'preact';
import styles from './style.module.css';

export function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class={styles.field}>
      <span class={styles.label}>{props.label}</span>
      {props.children}
      {props.hint === undefined ? null : <span class={styles.hint}>{props.hint}</span>}
    </label>
  );
}
