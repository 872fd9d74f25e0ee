import { render } from 'preact';
import '../../src/styles/base.css';
import { AppSettings } from './app-settings.tsx';

const container = document.getElementById('app');
if (container !== null) render(<AppSettings />, container);
