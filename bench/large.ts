/**
 * `npm run bench:large`: the simulator at the sizes the scale issue names, each in its own child (see
 * scale.ts): 200 buildings for a whole day with mobility scaled with them, and 1,000 buildings for a
 * whole day, energy only. Long (tens of minutes on 2 cores); prints one JSON document on stdout.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simHeapFlags } from '@kvartal/cli'

const here = dirname(fileURLToPath(import.meta.url))

async function child(args: string[]): Promise<unknown> {
  process.stderr.write(`[bench] scale.ts ${args.join(' ')}\n`)
  const proc = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=16384', ...simHeapFlags, join(here, 'scale.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let out = ''
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (c: string) => {
    out += c
  })
  const code = await new Promise<number | null>(resolve => {
    proc.on('close', resolve)
  })
  const line = out
    .trim()
    .split('\n')
    .filter(l => l.startsWith('{'))
    .at(-1)
  return line == null ? { error: `scale.ts ${args.join(' ')} printed no result (exit ${code})` } : JSON.parse(line)
}

const doc = {
  node: process.version,
  date: new Date().toISOString(),
  // on as many processes as `kvartal sim` picks here (scale.ts)
  district200: await child(['200', '96', '0', 'mobility']),
  district1000: await child(['1000', '96', '0'])
}
process.stdout.write(JSON.stringify(doc, null, 2) + '\n')
