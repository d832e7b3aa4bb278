// The ECharts attachment: creates the chart on mount, applies each new option
// object, resizes with its element, and disposes on unmount.
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import type { Attachment } from 'svelte/attachments';

export function echart(options: () => EChartsOption): Attachment<HTMLDivElement> {
  return (element) => {
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const chart = echarts.init(element, dark ? 'dark' : undefined, { renderer: 'canvas' });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    $effect(() => {
      chart.setOption(options(), { notMerge: false, lazyUpdate: true });
    });
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  };
}
