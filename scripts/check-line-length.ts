/**
 * `npm run lint`'s line limit: no line of the repository's TypeScript or JavaScript is longer than 140 characters
 * (biome.jsonc's lineWidth). Biome's formatter wraps code; it cannot wrap a comment or a string, so this checks
 * every line, comments and strings included. Generated code (packages/protocol/src/gen) is left out, as in
 * biome.jsonc. Prints each long line as file:line and exits 1 if there is one.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const MAX_LINE = 140
const generated = /^(packages\/protocol\/src\/gen|reports)\//

/** The repository's TypeScript and JavaScript files: tracked, or new and not ignored. */
function sourceFiles(): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.ts', '*.js', '*.mjs', '*.cjs'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024
    }
  )
  return out.split('\0').filter(f => f !== '' && !generated.test(f))
}

/** Each line of `text` longer than `max` characters (code points), as [line number, length]. */
function longLines(text: string, max = MAX_LINE): Array<[number, number]> {
  const out: Array<[number, number]> = []
  text.split('\n').forEach((line, i) => {
    const length = [...line].length
    if (length > max) out.push([i + 1, length])
  })
  return out
}

let found = 0
const files = sourceFiles()
for (const file of files) {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    continue
  } // deleted in the work tree, still in the index
  for (const [line, length] of longLines(text)) {
    console.log(`${file}:${line}: ${length} characters (at most ${MAX_LINE}): wrap it (a comment at a word, a string as 'a' + 'b')`)
    found++
  }
}
console.log(found === 0 ? `line length: ${files.length} files, no line over ${MAX_LINE}` : `line length: ${found} lines over ${MAX_LINE}`)
process.exitCode = found === 0 ? 0 : 1
