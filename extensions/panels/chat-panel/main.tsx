import { render } from 'preact';
import '../../src/styles/base.css';
import { ChatPanel } from './chat-panel.tsx';
import { startChatRequests } from './chat-requests.ts';

// Before the first render: the chat's data travels while Preact renders and the SDK shakes hands.
const early = startChatRequests(window.location.search);
const container = document.getElementById('app');
if (container !== null) render(<ChatPanel early={early} />, container);
