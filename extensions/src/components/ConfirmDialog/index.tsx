import { useEffect, useRef } from 'preact/hooks';
import { Button } from '../Button/index.tsx';
import styles from './style.module.css';

/** A modal that says exactly what will happen before a destructive action. */
export function ConfirmDialog(props: {
  title: string;
  description: string;
  confirmLabel: string;
  open: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (props.open && !element.open) element.showModal();
    if (!props.open && element.open) element.close();
  }, [props.open]);
  return (
    <dialog ref={dialog} class={styles.dialog} onCancel={props.onCancel} aria-labelledby="confirm-title">
      <h2 id="confirm-title" class={styles.title}>
        {props.title}
      </h2>
      <p class={styles.description}>{props.description}</p>
      <div class={styles.actions}>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button kind="danger" busy={props.busy === true} onClick={props.onConfirm}>
          {props.confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
