// The KPI page (/kpis): one line chart per KPI over the month and the 12 months before, a line
// per department or person when the page is grouped. Apache ECharts, bundled (no CDN). The
// figures and the page's words come in the JSON block #kpi-data: the page's CSP allows no
// inline script, nor inline styles, so the tooltip is drawn in the canvas (renderMode richText).
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

function option(kpi, data) {
  const empty = kpi.series.every((line) => line.values.every((v) => v == null));
  return {
    animation: false,
    title: empty ? { text: data.empty, left: 'center', top: 'middle', textStyle: { color: '#888', fontSize: 13 } }
      : undefined,
    grid: { left: 48, right: 16, top: kpi.series.length > 1 ? 48 : 16, bottom: 32 },
    legend: kpi.series.length > 1 ? { type: 'scroll', top: 0 } : undefined,
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v) => (v == null ? '—' : `${v}%`) },
    xAxis: { type: 'category', data: data.months },
    yAxis: { type: 'value', name: data.percent, min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: kpi.series.map((line) => ({ name: line.name, type: 'line', data: line.values, connectNulls: false,
                                        showSymbol: true })),
  };
}

function start() {
  const data = JSON.parse(document.getElementById('kpi-data').textContent);
  window.kpiCharts = {};  // the charts, for the browser tests
  for (const kpi of data.kpis) {
    const box = document.querySelector(`.kpi-chart[data-kpi="${kpi.key}"]`);
    if (!box) continue;
    const chart = echarts.init(box, null, { renderer: 'canvas', locale: document.documentElement.lang === 'en' ? 'EN' : 'ZH' });
    chart.setOption(option(kpi, data));
    window.kpiCharts[kpi.key] = chart;
  }
  window.addEventListener('resize', () => Object.values(window.kpiCharts).forEach((chart) => chart.resize()));
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
