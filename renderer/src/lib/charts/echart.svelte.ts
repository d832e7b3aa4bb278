// The ECharts attachment: creates the chart on mount, applies each new option
// object, resizes with its element, and disposes on unmount.
import { BarChart, LineChart } from 'echarts/charts';
import { DatasetComponent, DataZoomInsideComponent, DataZoomSliderComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import type { Attachment } from 'svelte/attachments';

// Only what chart-options.ts uses: the whole of ECharts tripled the page's script.
echarts.use([LineChart, BarChart, DatasetComponent, GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent, CanvasRenderer]);

export function echart(options: () => EChartsOption): Attachment<HTMLDivElement> {
  return (element) => {
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const chart = echarts.init(element, dark ? 'dark' : undefined, { renderer: 'canvas' });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    $effect(() => {
      // Series replaced, not merged by index: a hidden line leaves the chart.
      chart.setOption(options(), { replaceMerge: ['series'], lazyUpdate: true });
    });
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  };
}
