import { render } from 'preact';
import '../../src/styles/base.css';
import { ChatPanel } from './chat-panel.tsx';

const container = document.getElementById('app');
if (container !== null) render(<ChatPanel />, container);
