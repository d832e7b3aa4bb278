// The ECharts attachment: creates the chart once ECharts has loaded (again when the
// OS switches between light and dark), applies each new option object, resizes with
// its element, and disposes on unmount.
import type { EChartsOption } from 'echarts';
import type { ECharts } from 'echarts/core';
import type { Attachment } from 'svelte/attachments';

type Parts = typeof import('./echarts-parts.js');
let parts: Promise<Parts> | undefined;

export function echart(options: () => EChartsOption): Attachment<HTMLDivElement> {
  return (element) => {
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    let dark = $state(scheme.matches);
    let lib = $state.raw<Parts['echarts'] | null>(null);
    let chart = $state.raw<ECharts | null>(null);
    let unmounted = false;
    const onScheme = (): void => void (dark = scheme.matches);
    scheme.addEventListener('change', onScheme);
    (parts ??= import('./echarts-parts.js')).then(({ echarts }) => {
      if (!unmounted) lib = echarts;
    });
    $effect(() => {
      if (!lib) return;
      const created = lib.init(element, dark ? 'dark' : undefined, { renderer: 'canvas' });
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
      scheme.removeEventListener('change', onScheme);
    };
  };
}
