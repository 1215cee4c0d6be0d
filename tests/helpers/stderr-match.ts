import type { NodeProcess } from './processes.ts'

/** The first match of `re` in what the process wrote on stderr, waiting for it until the deadline. */
export async function stderrMatch(p: NodeProcess, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const now = (): RegExpExecArray | null => re.exec(p.stderr.join(''))
  if (now() != null) return now()!
  return await new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      done()
      reject(new Error(`no ${String(re)} on stderr: ${p.stderr.join('')}`))
    }, timeoutMs)
    const onData = (): void => {
      const m = now()
      if (m != null) {
        done()
        resolve(m)
      }
    }
    const onExit = (): void => {
      done()
      reject(new Error(`exited before ${String(re)}: ${p.stderr.join('')}`))
    }
    const done = (): void => {
      clearTimeout(t)
      p.proc.stderr!.off('data', onData)
      p.proc.off('exit', onExit)
    }
    p.proc.stderr!.on('data', onData)
    p.proc.once('exit', onExit)
  })
}
