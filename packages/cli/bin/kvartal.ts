#!/usr/bin/env node
import { enableCompileCache } from 'node:module'
import { execWithHeapFlags, useSimBufferPool } from '../src/sim-memory.ts'

// V8's code for every module kvartal loads, cached on disk (in the OS's temporary directory) by Node: a
// command starts in about half the CPU (loading the node's modules: 1.4 → 0.75 s on these machines), which an
// edge device restarting and every `kvartal` client command feel. The environment passes it on to what this
// process forks (a simulation's workers). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const cache = enableCompileCache()
if (cache.directory != null && process.env.NODE_COMPILE_CACHE == null) process.env.NODE_COMPILE_CACHE = cache.directory

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
