/**
 * Requests and replies between the simulator's processes over Node's IPC channel (`child_process.fork`
 * with `serialization: 'advanced'`, so byte arrays, maps and bigints cross as they are). Each side
 * answers the other's requests by type; a one-way notice carries what needs no answer (events).
 */

/** Either end of the channel: the child's `process`, or the parent's `ChildProcess`. */
export interface IpcPort {
  send?: (message: any, callback?: (err: Error | null) => void) => boolean
  on: (event: 'message', listener: (message: any) => void) => unknown
  off: (event: 'message', listener: (message: any) => void) => unknown
}

type Message =
  | { k: 'q'; id: number; type: string; body: unknown }
  | { k: 'r'; id: number; body?: unknown; error?: WireError }
  | { k: 'n'; type: string; body: unknown }

/** An error as it crosses the channel: its class name, code (typed errors) and message. */
export interface WireError {
  readonly name: string
  readonly message: string
  readonly code?: string
  readonly field?: string
}

/** An error raised in the other process, with its name and code; `revive` may turn it back into its own class. */
export class RemoteError extends Error {
  readonly code?: string
  constructor(e: WireError) {
    super(e.message)
    this.name = e.name
    if (e.code != null) this.code = e.code
  }
}

export class Rpc {
  readonly #port: IpcPort
  readonly #who: string
  readonly #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>()
  readonly #handlers = new Map<string, (body: any) => unknown>()
  readonly #revive: (e: WireError) => Error
  #next = 0
  #closed?: Error

  /** `who` names the other side in errors; `revive` rebuilds the other side's typed errors */
  constructor(port: IpcPort, who: string, revive: (e: WireError) => Error = e => new RemoteError(e)) {
    this.#port = port
    this.#who = who
    this.#revive = revive
    port.on('message', this.#receive)
  }

  /** Answers the other side's requests of this type (a thrown error goes back as the reply). */
  handle(type: string, fn: (body: any) => unknown): void {
    this.#handlers.set(type, fn)
  }

  async request<T = unknown>(type: string, body?: unknown): Promise<T> {
    if (this.#closed != null) throw this.#closed
    const id = this.#next++
    return await new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#send({ k: 'q', id, type, body })
    })
  }

  /** A one-way message: handled like a request, its result and errors dropped. */
  notify(type: string, body: unknown): void {
    this.#send({ k: 'n', type, body })
  }

  /** Fails every request still waiting (the other side exited), and any later one. */
  close(reason: Error): void {
    this.#closed ??= reason
    for (const p of this.#pending.values()) p.reject(reason)
    this.#pending.clear()
    this.#port.off('message', this.#receive)
  }

  #send(m: Message): void {
    if (this.#port.send == null) throw new Error(`no IPC channel to ${this.#who}`)
    this.#port.send(m, err => {
      if (err != null) this.close(new Error(`IPC to ${this.#who} failed: ${err.message}`))
    })
  }

  readonly #receive = (m: Message): void => {
    if (m?.k === 'r') {
      const p = this.#pending.get(m.id)
      if (p == null) return
      this.#pending.delete(m.id)
      if (m.error != null) p.reject(this.#revive(m.error))
      else p.resolve(m.body)
      return
    }
    if (m?.k !== 'q' && m?.k !== 'n') return
    const fn = this.#handlers.get(m.type)
    const reply = (r: { body?: unknown; error?: WireError }): void => {
      if (m.k === 'q' && this.#closed == null) this.#send({ k: 'r', id: m.id, ...r })
    }
    if (fn == null) {
      reply({ error: { name: 'Error', message: `${this.#who} asked for "${m.type}", which this side does not answer` } })
      return
    }
    void (async () => {
      try {
        reply({ body: await fn(m.body) })
      } catch (err) {
        reply({ error: wireError(err) })
      }
    })()
  }
}

export function wireError(err: unknown): WireError {
  const e = err as { name?: string; message?: string; code?: unknown; field?: unknown }
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.field === 'string' ? { field: e.field } : {})
  }
}
