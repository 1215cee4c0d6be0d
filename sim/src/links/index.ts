export * from './network-scenario.ts'
export * from './link-model.ts'
export * from './host-hooks.ts'
export * from './link-controller.ts'
