import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '@kvartal/protocol'
import { writeReport } from '@kvartal/sim'

/** `kvartal report <dir>`: rebuilds `<dir>/report.html` from the results.json (and trace.ndjson) beside it. */
export async function reportCommand(positionals: readonly string[]): Promise<number> {
  if (positionals.length !== 1)
    throw new ConfigError('dir', 'give the one directory `kvartal sim` wrote, e.g. kvartal report out/trondheim-2026-06-17')
  const dir = positionals[0]
  if (
    !(await access(join(dir, 'results.json')).then(
      () => true,
      () => false
    ))
  )
    throw new ConfigError('dir', `${join(dir, 'results.json')} not found: give a directory \`kvartal sim\` wrote`)
  let path: string
  try {
    path = await writeReport(dir)
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new ConfigError('dir', `a file in ${dir} is not valid JSON (${err.message}): run kvartal sim again`)
    throw err
  }
  process.stdout.write(`report      ${path}\n`)
  return 0
}
