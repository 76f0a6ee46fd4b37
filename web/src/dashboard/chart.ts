// chart.js with only the pieces the photos-per-day chart uses, so the rest is tree-shaken away.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export function barChart(canvas: HTMLCanvasElement, labels: string[], values: number[], label: string): Chart {
  const style = getComputedStyle(document.documentElement);
  const color = (name: string) => style.getPropertyValue(name).trim();
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: color('--accent'), borderRadius: 4, maxBarThickness: 28 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { grid: { display: false }, ticks: { color: color('--muted'), autoSkip: true, maxRotation: 0 } },
        y: { beginAtZero: true, ticks: { precision: 0, color: color('--muted') }, grid: { color: color('--border') } },
      },
      plugins: { tooltip: { displayColors: false } },
    },
  });
}
