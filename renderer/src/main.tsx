import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BridgeProvider, connectBridge } from './bridge';
import { Centered } from './Centered';
import './styles.css';

const setup = connectBridge();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {setup.ok ? (
      <BridgeProvider bridge={setup.bridge} connection={setup.connection}>
        <App />
      </BridgeProvider>
    ) : (
      <Centered title="noKeyTitle" hint="noKeyBody" />
    )}
  </StrictMode>,
);
