import type { ComponentChildren } from 'preact';
import styles from './style.module.css';

/** A line of feedback: what happened, in words (errors carry Parley's message). */
export function Notice(props: { tone: 'info' | 'success' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`${styles.notice} ${styles[props.tone] ?? ''}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
