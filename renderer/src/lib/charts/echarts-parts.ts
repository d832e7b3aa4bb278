// The parts of ECharts the charts use, registered once. Loaded on the first chart
// shown (echart.svelte.ts), so pages without a chart do not wait for it.
import { BarChart, LineChart } from 'echarts/charts';
import { DatasetComponent, DataZoomInsideComponent, DataZoomSliderComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only what chart-options.ts uses: the whole of ECharts tripled the page's script.
echarts.use([LineChart, BarChart, DatasetComponent, GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent, CanvasRenderer]);

export { echarts };
