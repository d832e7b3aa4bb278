// The ECharts attachment: creates the chart once ECharts has loaded (again in the new
// colours when the theme changes), applies each new option object, resizes with its
// element, and disposes on unmount.
import type { EChartsOption } from 'echarts';
import type { ECharts } from 'echarts/core';
import type { Attachment } from 'svelte/attachments';
import { theme } from '../theme/theme.svelte.js';
import { chartTheme } from './chart-options.js';

type Parts = typeof import('./echarts-parts.js');
let parts: Promise<Parts> | undefined;

/** `onclick`: a click on an item (a bar), with ECharts' event parameters. */
export function echart(options: () => EChartsOption, onclick?: (params: { data?: unknown }) => void): Attachment<HTMLDivElement> {
  return (element) => {
    let lib = $state.raw<Parts['echarts'] | null>(null);
    let chart = $state.raw<ECharts | null>(null);
    let unmounted = false;
    (parts ??= import('./echarts-parts.js')).then(({ echarts }) => {
      if (!unmounted) lib = echarts;
    });
    $effect(() => {
      if (!lib) return;
      const created = lib.init(element, chartTheme(theme.palette), { renderer: 'canvas' });
      if (onclick) created.on('click', (params) => onclick(params));
      const observer = new ResizeObserver(() => created.resize());
      observer.observe(element);
      chart = created;
      return () => {
        observer.disconnect();
        created.dispose();
      };
    });
    $effect(() => {
      // Series replaced, not merged by index: a hidden line leaves the chart.
      chart?.setOption(options(), { replaceMerge: ['series'], lazyUpdate: true });
    });
    return () => {
      unmounted = true;
    };
  };
}
