// The statistics dashboard: a plain client of this origin's /graphql, for administrators.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { locale, t } from './i18n';
import './debug';

document.documentElement.lang = locale;
document.title = t('app.title');

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
