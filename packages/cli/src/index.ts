export * from './main.ts'
export * from './node-config.ts'
