#!/usr/bin/env node
import { execWithHeapFlags, useSimBufferPool } from '../src/sim-memory.ts'

// a simulation holds a whole district in this process: bound V8's heap and Node's Buffer slabs before
// anything is loaded (sim-memory.ts; the process is replaced, so main.ts is imported only after this)
if (process.argv[2] === 'sim') {
  execWithHeapFlags()
  useSimBufferPool()
}
const { main } = await import('../src/main.ts')

// `kvartal sim | head` closes the pipe early: that is not an error
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

process.exitCode = await main(process.argv.slice(2))
