import type { ComponentChildren } from 'preact';
import styles from './style.module.css';

export function Button(props: {
  children: ComponentChildren;
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'danger';
  busy?: boolean;
  disabled?: boolean;
  type?: 'button' | 'submit';
}) {
  return (
    <button
      type={props.type ?? 'button'}
      class={`${styles.button} ${styles[props.kind ?? 'secondary'] ?? ''}`}
      onClick={props.onClick}
      disabled={props.disabled === true || props.busy === true}
      aria-busy={props.busy === true}
    >
      {props.busy === true ? 'Working…' : props.children}
    </button>
  );
}
