/**
 * The four rates per point of a range (GET /api/stats/series), drawn with ECharts (only the parts
 * used; this module is loaded with the dashboard alone). Each line has its own marker and dash, and
 * the same numbers are offered as a table, so colour is never the only way to read it.
 */
import { useEffect, useRef } from 'react';
import { Collapse, Table } from 'antd';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface SeriesPoint {
  period: { label: string };
  figures: Record<string, { rate?: number | null; numerator?: number; denominator?: number }>;
}

const SYMBOLS = ['circle', 'rect', 'triangle', 'diamond'];
const DASHES = ['solid', 'dashed', 'dotted', 'solid'] as const;
const percent = (rate?: number | null) => (rate == null ? null : Math.round(rate * 1000) / 10);

export function TrendChart({ points, rates, caption = '各项考核指标的趋势图' }: { points: SeriesPoint[]; rates: [string, string][]; caption?: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—') },
      animation: false,
      legend: { top: 0, data: rates.map(([, label]) => label) },
      grid: { left: 44, right: 16, top: 48, bottom: 30 },
      xAxis: { type: 'category', data: points.map((p) => p.period.label) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: rates.map(([key, label], i) => ({
        name: label,
        type: 'line',
        connectNulls: false,
        symbol: SYMBOLS[i % SYMBOLS.length],
        symbolSize: 8,
        lineStyle: { type: DASHES[i % DASHES.length] },
        data: points.map((p) => percent(p.figures[key]?.rate)),
      })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [points, rates]);
  return (
    <>
      <div ref={el} role="img" aria-label={caption} style={{ width: '100%', height: 300 }} />
      <Collapse
        size="small"
        items={[
          {
            key: 'table',
            label: '以表格查看趋势数据',
            children: (
              <Table
                size="small"
                rowKey={(p) => p.period.label}
                pagination={false}
                scroll={{ x: 600 }}
                dataSource={points}
                columns={[
                  { title: '周期', key: 'period', render: (_, p) => p.period.label },
                  ...rates.map(([key, label]) => ({
                    title: label,
                    key,
                    render: (_: unknown, p: SeriesPoint) => {
                      const f = p.figures[key];
                      const v = percent(f?.rate);
                      return v == null ? '—' : `${v.toFixed(1)}%（${f?.numerator ?? 0}/${f?.denominator ?? 0}）`;
                    },
                  })),
                ]}
              />
            ),
          },
        ]}
      />
    </>
  );
}
