// A Chart.js chart in a canvas, created after mount and destroyed on unmount.
import { html } from '../html.js';
import { useEffect, useRef } from 'preact/hooks';
import {
  Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip,
  DoughnutController, ArcElement,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, DoughnutController, ArcElement);

export function ChartCanvas({ config, label, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    const chart = new Chart(ref.current, config);
    return () => chart.destroy();
  }, [JSON.stringify(config.data), config.type]);
  return html`<div class="chart-box"><canvas ref=${ref} role="img" aria-label=${label} data-testid=${testid}></canvas></div>`;
}
