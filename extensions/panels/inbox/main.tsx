import { render } from 'preact';
import '../../src/styles/base.css';
import { Inbox } from './inbox.tsx';

const container = document.getElementById('app');
if (container !== null) render(<Inbox />, container);
