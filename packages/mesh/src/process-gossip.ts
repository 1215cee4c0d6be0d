import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { TopicValidatorFn } from '@libp2p/gossipsub'

/**
 * What Kvartal's gossip (gossip-router.ts, mobility-gossip.ts) uses of gossipsub: a validator per topic
 * (where a message is checked and applied), subscribing, and publishing. Gossipsub itself is one; a
 * node's port on a `ProcessGossip` is the other.
 */
export interface GossipPort {
  readonly topicValidators: Map<string, TopicValidatorFn>
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  /**
   * Gossipsub's: the connected peers known to read `topic`. A message on a topic its publisher does not read
   * reaches only them (and their meshes). Absent on a process bus, where every reader of a topic gets every message.
   */
  getSubscribers?(topic: string): PeerId[]
}

interface Member {
  readonly peerId: PeerId
  readonly validators: Map<string, TopicValidatorFn>
}

interface Pending {
  readonly topic: string
  readonly from: Member
  readonly data: Uint8Array
}

export interface ProcessGossipStats {
  /** messages published on the bus by its own nodes */
  published: number
  /** messages from other processes' buses (`receive`) */
  received: number
  /** deliveries: one per message and node of the process that reads its topic (less its publisher) */
  delivered: number
  /** real ms spent delivering: every reader's validator (decode, checks, apply), the bus's own work */
  deliveryMs: number
}

/** One message between the buses of several processes: its topic, its publisher's peer id, its bytes. */
export type BusMessage = readonly [topic: string, from: string, data: Uint8Array]

export interface ProcessGossipInit {
  /** the topics the bus carries (default: every topic); the others go over each node's gossipsub */
  carries?: (topic: string) => boolean
  /**
   * Buses of other processes that share some topics (a simulator's workers): what this process's nodes
   * publish on a topic that `shared` names goes to `send` too, in batches, in the order published; the
   * other side hands it to its bus's `receive`.
   */
  remote?: { shared: (topic: string) => boolean; send: (batch: BusMessage[]) => void }
}

/**
 * Gossip among nodes that share a process (a simulator's): each message published on a topic reaches
 * every other node of the process that reads it, once, through that node's own validator — the same
 * check and the same apply as a message that came over gossipsub. Several processes (a simulator's
 * workers) join their buses through `remote`: a message reaches the nodes of every process once.
 *
 * Why: gossipsub delivers a message to every node of a topic's mesh along D links each, so a node
 * receives each message from several of its mesh peers, and every copy crosses the whole stack (the
 * memory transport, yamux, length prefixes, protobuf, the duplicate filter). At 200 buildings a node
 * received 5.5 copies of each message it kept, and those copies were most of a simulation's CPU. For
 * nodes of a simulation, where the message comes from and by which route cannot change what a node
 * decides: the simulator's clock stands still until every node has every message
 * (sim's quiescence.ts). So the bus delivers each once, directly.
 *
 * What it does not do: it is not a network. A simulation that studies the network itself (link
 * conditions: loss, partitions, churn) runs every topic over gossipsub, where loss and recovery are
 * real, and so does a scenario with `gossip: gossipsub`. A real node never uses it.
 */
export class ProcessGossip {
  readonly stats: ProcessGossipStats = { published: 0, received: 0, delivered: 0, deliveryMs: 0 }
  /** the topics this bus carries; a node's others go over its gossipsub */
  readonly local: (topic: string) => boolean
  readonly #remote: ProcessGossipInit['remote']
  readonly #readers = new Map<string, Set<Member>>()
  readonly #peers = new Map<string, PeerId>()
  #queue: Pending[] = []
  #outbox: BusMessage[] = []
  #scheduled = false

  constructor(init: ProcessGossipInit = {}) {
    this.local = init.carries ?? (() => true)
    this.#remote = init.remote
  }

  /**
   * A node's gossip: the topics this bus carries on it, the others on its gossipsub (`pubsub`).
   * Validators set on the port apply to both.
   */
  port(pubsub: GossipPort, peerId: PeerId): GossipPort {
    const bus = this
    const local = this.local
    class Validators extends Map<string, TopicValidatorFn> {
      override set(topic: string, fn: TopicValidatorFn): this {
        if (!local(topic)) pubsub.topicValidators.set(topic, fn)
        return super.set(topic, fn)
      }

      override delete(topic: string): boolean {
        if (!local(topic)) pubsub.topicValidators.delete(topic)
        return super.delete(topic)
      }
    }
    const member: Member = { peerId, validators: new Validators() }
    this.#peers.set(peerId.toString(), peerId)
    return {
      topicValidators: member.validators,
      subscribe(topic) {
        if (!local(topic)) {
          pubsub.subscribe(topic)
          return
        }
        let readers = bus.#readers.get(topic)
        if (readers == null) bus.#readers.set(topic, (readers = new Set()))
        readers.add(member)
      },
      unsubscribe(topic) {
        if (!local(topic)) {
          pubsub.unsubscribe(topic)
          return
        }
        bus.#readers.get(topic)?.delete(member)
      },
      async publish(topic, data) {
        if (!local(topic)) return await pubsub.publish(topic, data)
        bus.stats.published++
        if (bus.#remote?.shared(topic) === true) bus.#outbox.push([topic, peerId.toString(), data])
        bus.#enqueue({ topic, from: member, data })
        return { recipients: [] }
      }
    }
  }

  /** messages another process's bus published (`remote.send` there), for this process's readers */
  receive(batch: readonly BusMessage[]): void {
    for (const [topic, from, data] of batch) {
      let peerId = this.#peers.get(from)
      if (peerId == null) this.#peers.set(from, (peerId = peerIdFromString(from)))
      this.stats.received++
      this.#enqueue({ topic, from: { peerId, validators: new Map() }, data })
    }
  }

  /** delivered after the publisher's own turn, in the order published, as a network would */
  #enqueue(p: Pending): void {
    this.#queue.push(p)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#drain()
    })
  }

  #drain(): void {
    const t0 = performance.now()
    this.#scheduled = false
    const batch = this.#queue
    this.#queue = []
    if (this.#outbox.length > 0) {
      const out = this.#outbox
      this.#outbox = []
      this.#remote!.send(out)
    }
    for (const { topic, from, data } of batch) {
      const readers = this.#readers.get(topic)
      if (readers == null) continue
      for (const r of readers) {
        if (r === from || r.peerId === from.peerId) continue
        const validate = r.validators.get(topic)
        if (validate == null) continue
        this.stats.delivered++
        try {
          const verdict = validate(from.peerId, { type: 'unsigned', topic, data })
          // Kvartal's validators are synchronous; one that is not still must not escape
          if (verdict instanceof Promise) verdict.catch(() => {})
        } catch {
          // a validator turns every refusal into a verdict (gossip-router.ts); nothing else may stop the others' deliveries
        }
      }
    }
    this.stats.deliveryMs += performance.now() - t0
  }
}
