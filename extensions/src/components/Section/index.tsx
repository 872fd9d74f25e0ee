import type { ComponentChildren } from 'preact';
import styles from './style.module.css';

export function Section(props: { title: string; children: ComponentChildren; aside?: ComponentChildren }) {
  return (
    <section class={styles.section}>
      <header class={styles.header}>
        <h2 class={styles.title}>{props.title}</h2>
        {props.aside}
      </header>
      {props.children}
    </section>
  );
}
