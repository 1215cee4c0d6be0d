/**
 * A small static check of a Containerfile, where hadolint is not installed: it parses the file as
 * buildah and docker do (comments, `\` continuations, JSON or shell form) and reports what would stop a
 * build or make a bad image: an unknown instruction, no FROM first, a stage built from a name no stage
 * has, the final stage running as root, malformed JSON in an exec form, a HEALTHCHECK without CMD.
 *   npx node deploy/container/containerfile-lint.ts deploy/container/Containerfile
 */
import { readFileSync } from 'node:fs'

export const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL'
] as const

export interface Instruction {
  keyword: string
  args: string
  line: number
}
export interface Stage {
  from: string
  name?: string
  instructions: Instruction[]
}
export interface Containerfile {
  args: Record<string, string>
  stages: Stage[]
  problems: string[]
}

/** Splits into instructions: comments and blank lines dropped, continuation lines joined. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = []
  let cur: { text: string; line: number } | undefined
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '')
    if (cur == null && /^\s*(#.*)?$/.test(line)) return
    if (cur != null && /^\s*#/.test(line)) return // a comment inside a continued instruction
    const cont = /\\\s*$/.test(line)
    const body = cont ? line.replace(/\\\s*$/, '') : line
    cur = cur == null ? { text: body.trim(), line: i + 1 } : { text: `${cur.text} ${body.trim()}`, line: cur.line }
    if (!cont) {
      const m = /^(\S+)\s*(.*)$/.exec(cur.text)!
      out.push({ keyword: m[1].toUpperCase(), args: m[2], line: cur.line })
      cur = undefined
    }
  })
  if (cur != null) out.push({ keyword: 'UNTERMINATED', args: cur.text, line: cur.line })
  return out
}

/** An exec form's array, or undefined for the shell form; throws on a malformed array. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined
  const v: unknown = JSON.parse(args)
  if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new Error('an exec form is a JSON array of strings')
  return v as string[]
}

const substitute = (s: string, args: Record<string, string>): string =>
  s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => args[a ?? b ?? ''] ?? m)

export function parseContainerfile(text: string): Containerfile {
  const problems: string[] = []
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const ins of instructions(text)) {
    const at = `line ${ins.line}: ${ins.keyword}`
    if (!(INSTRUCTIONS as readonly string[]).includes(ins.keyword)) {
      problems.push(`${at}: unknown instruction`)
      continue
    }
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const m = /^(\w+)(?:=(.*))?$/.exec(ins.args.trim())
      if (m == null) problems.push(`${at}: expected NAME or NAME=default`)
      else args[m[1]] = m[2] ?? ''
      continue
    }
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(ins.args)
      if (m == null) {
        problems.push(`${at}: expected FROM <image> [AS <name>]`)
        continue
      }
      stages.push({ from: substitute(m[1], args), ...(m[2] != null ? { name: m[2] } : {}), instructions: [] })
      continue
    }
    if (stages.length === 0) {
      problems.push(`${at}: before the first FROM`)
      continue
    }
    stages.at(-1)!.instructions.push(ins)
    try {
      if (['CMD', 'ENTRYPOINT', 'SHELL', 'VOLUME'].includes(ins.keyword)) execForm(ins.args)
      if (ins.keyword === 'HEALTHCHECK') {
        const m = /^((?:--[\w-]+=\S+\s+)*)(CMD\s+(.*)|NONE)$/.exec(ins.args)
        if (m == null) problems.push(`${at}: expected [--option=value …] CMD … or NONE`)
        else if (m[3] != null) execForm(m[3])
        for (const o of (m?.[1] ?? '')
          .trim()
          .split(/\s+/)
          .filter(x => x !== '')) {
          if (!/^--(interval|timeout|start-period|start-interval|retries)=/.test(o)) problems.push(`${at}: unknown option ${o}`)
        }
      }
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        const from = /--from=(\S+)/.exec(ins.args)?.[1]
        if (from != null && !stages.slice(0, -1).some(s => s.name === from) && !/^\d+$/.test(from))
          problems.push(`${at}: --from=${from} names no earlier stage`)
      }
    } catch (err) {
      problems.push(`${at}: ${(err as Error).message}`)
    }
  }
  if (stages.length === 0) problems.push('no FROM')
  const final = stages.at(-1)
  const user = final?.instructions
    .filter(i => i.keyword === 'USER')
    .at(-1)
    ?.args.trim()
  if (final != null && (user == null || /^(root|0)(:.*)?$/.test(user)))
    problems.push(`the final stage runs as ${user ?? 'root (no USER)'}: give it a non-root USER`)
  return { args, stages, problems }
}

/** The last value of an instruction in the final stage. */
export const last = (c: Containerfile, keyword: string): Instruction | undefined =>
  c.stages
    .at(-1)
    ?.instructions.filter(i => i.keyword === keyword)
    .at(-1)

if (import.meta.main) {
  const file = process.argv[2] ?? 'deploy/container/Containerfile'
  const { problems } = parseContainerfile(readFileSync(file, 'utf8'))
  for (const p of problems) process.stderr.write(`${file}: ${p}\n`)
  process.exit(problems.length === 0 ? 0 : 1)
}
