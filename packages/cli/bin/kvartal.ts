#!/usr/bin/env node
import { main } from '../src/main.ts'

// `kvartal sim | head` closes the pipe early: that is not an error
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err })

process.exitCode = await main(process.argv.slice(2))
