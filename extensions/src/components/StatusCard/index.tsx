import type { ComponentChildren } from 'preact';
import styles from './style.module.css';

export function StatusCard(props: { title: string; tone?: 'neutral' | 'danger'; children?: ComponentChildren }) {
  return (
    <section class={`${styles.card} ${props.tone === 'danger' ? styles.danger : ''}`} role="status">
      <h1 class={styles.title}>{props.title}</h1>
      {props.children === undefined ? null : <div class={styles.body}>{props.children}</div>}
    </section>
  );
}
