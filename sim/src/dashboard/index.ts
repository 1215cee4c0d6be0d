export { startDashboard, type Dashboard, type DashboardOptions } from './server.ts'
export { dashboardLayout, limitBook, metresFrom, type DashboardLayout, type DashboardNode } from './layout.ts'
export { LiveState, defaultSampling, type Batch, type SampledStep, type SamplingLimits, type SlotFigures } from './live-state.ts'
export { RunControl } from './run-control.ts'
export { startPageServer, type PageFile, type PageServer, type PageServerOptions } from './page-server.ts'
export {
  LiveJourneys,
  recentJourneys,
  type JourneyFigures,
  type JourneyRow,
  type JourneyStatus,
  type LegState,
  type MobilityBatch,
  type VehiclePlace
} from './live-journeys.ts'
