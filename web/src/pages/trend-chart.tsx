/** The four rates month by month (GET /api/stats/series), drawn with ECharts (only the parts used). */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface SeriesPoint {
  period: { label: string };
  figures: Record<string, { rate?: number | null }>;
}

export function TrendChart({ points, rates }: { points: SeriesPoint[]; rates: [string, string][] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—') },
      animation: false,
      legend: { top: 0, data: rates.map(([, label]) => label) },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: points.map((p) => p.period.label) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: rates.map(([key, label]) => ({
        name: label,
        type: 'line',
        connectNulls: false,
        data: points.map((p) => (p.figures[key]?.rate == null ? null : Math.round(p.figures[key]!.rate! * 1000) / 10)),
      })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [points, rates]);
  return <div ref={el} role="img" aria-label="各项考核指标的月度趋势图" style={{ width: '100%', height: 300 }} />;
}
