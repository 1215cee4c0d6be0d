import { createChannel, openChannel, readChannel, type Channel, type ReadResult, type ReaderKey } from '@kvartal/channels'
import { toHex } from '@kvartal/protocol'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import type { ChannelStore } from '../channel-store.ts'

/** Which channel of this node a name refers to (collection `channels`: name → channel id). */
interface ChannelName {
  readonly id: string
}

/**
 * The node's own trip-data channels (the MAM idea): `trips` for a traveller (plans, bookings,
 * receipts), `rides` for a vehicle (progress). Every record is stored in the channel store before it is
 * served to anyone; readers are granted and revoked per reader key; the heads go into the period's
 * attestation batch.
 */
export class TripChannels {
  readonly #open = new Map<string, Channel>()
  readonly #store: ChannelStore
  readonly #journal: Journal
  readonly #seed: Uint8Array
  readonly #emit: Emit
  #queue: Promise<unknown> = Promise.resolve()

  constructor(init: { store: ChannelStore; journal: Journal; seed: Uint8Array; emit: Emit }) {
    this.#store = init.store
    this.#journal = init.journal
    this.#seed = init.seed
    this.#emit = init.emit
  }

  /** The channel with this name, created (and its open record stored) on first use. */
  async channel(name: string): Promise<Channel> {
    let ch = this.#open.get(name)
    if (ch != null) return ch
    const known = await this.#journal.getRecord<ChannelName>('channels', name)
    if (known != null) {
      ch = openChannel(this.#seed, await this.#store.records(known.id))
    } else {
      ch = createChannel(this.#seed)
      const id = toHex(ch.id)
      for (const r of ch.records) await this.#store.append(id, r)
      await this.#journal.putRecord('channels', name, { id, status: 'open' }, 'channel-open')
    }
    this.#open.set(name, ch)
    return ch
  }

  async #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => {})
    return await run
  }

  /** Appends a JSON record to a channel of this node. */
  async append(name: string, payload: object): Promise<{ channel: string; index: number }> {
    return await this.#serial(async () => {
      const ch = await this.channel(name)
      const record = ch.append(payload)
      await this.#store.append(toHex(ch.id), record)
      this.#emit({ type: 'channel-appended', correlation: toHex(ch.id), detail: `${name} #${record.index}` })
      return { channel: toHex(ch.id), index: record.index }
    })
  }

  async grant(name: string, reader: ReaderKey): Promise<number> {
    return await this.#serial(async () => {
      const ch = await this.channel(name)
      const r = ch.grant(reader)
      await this.#store.append(toHex(ch.id), r)
      return r.index
    })
  }

  async revoke(name: string, reader: ReaderKey): Promise<number> {
    return await this.#serial(async () => {
      const ch = await this.channel(name)
      const r = ch.revoke(reader)
      await this.#store.append(toHex(ch.id), r)
      return r.index
    })
  }

  /** Reads any channel this node holds (its own or a replica) with this node's key. */
  async read(channelId: string): Promise<ReadResult> {
    return readChannel(await this.#store.records(channelId), this.#seed)
  }

  /** name → channel id of this node's own channels. */
  async names(): Promise<Array<[string, string]>> {
    return (await this.#journal.records<ChannelName>('channels')).map(([n, c]) => [n, c.id])
  }
}
