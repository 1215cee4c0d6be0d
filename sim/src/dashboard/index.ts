export { startDashboard, type Dashboard, type DashboardOptions } from './server.ts'
export { dashboardLayout, limitBook, metresFrom, type DashboardLayout, type DashboardNode } from './layout.ts'
export { LiveState, defaultSampling, type Batch, type SampledStep, type SamplingLimits, type SlotFigures } from './live-state.ts'
export { RunControl } from './run-control.ts'
