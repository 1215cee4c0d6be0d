import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sha256 } from '@noble/hashes/sha2.js'
import { fastMessageId, topicMessageId } from '../src/host.ts'

/** The id as specified, written out with another SHA-256 (@noble/hashes), not the node's own. */
function reference(topic: string, data: Uint8Array): Uint8Array {
  const t = new TextEncoder().encode(topic)
  const len = new Uint8Array(4)
  new DataView(len.buffer).setUint32(0, t.length)
  return sha256.create().update(len).update(t).update(data).digest()
}

const topics = fc.oneof(
  fc.constantFrom('/kvartal/d1/offer/1', '/kvartal/d1/f03/offer/1', '/kvartal/d1/zone/8a1/1'),
  fc.string({ maxLength: 40, unit: 'binary' })
)

describe("gossipsub's message ids", () => {
  it('the id is SHA-256 of the topic length, the topic and the bytes', () => {
    fc.assert(
      fc.property(topics, fc.uint8Array({ maxLength: 2_000 }), (topic, data) => {
        expect(Buffer.from(topicMessageId(topic, data)).toString('hex')).toBe(Buffer.from(reference(topic, data)).toString('hex'))
      }),
      { seed: 9, numRuns: 300 }
    )
  })

  it('the same bytes on two topics are two messages (a vehicle offers on the zone it left and the one it is in)', () => {
    const data = new Uint8Array([1, 2, 3])
    const a = Buffer.from(topicMessageId('/kvartal/d1/zone/a/1', data)).toString('hex')
    const b = Buffer.from(topicMessageId('/kvartal/d1/zone/b/1', data)).toString('hex')
    expect(a).not.toBe(b)
    expect(fastMessageId('/kvartal/d1/zone/a/1', data)).not.toBe(fastMessageId('/kvartal/d1/zone/b/1', data))
  })

  it('a view into a larger buffer hashes only its own bytes, and the topic prefix cache keeps topics apart', () => {
    const pool = new Uint8Array(64).map((_, i) => i)
    const view = pool.subarray(10, 20)
    expect(Buffer.from(topicMessageId('t', view)).toString('hex')).toBe(Buffer.from(reference('t', pool.slice(10, 20))).toString('hex'))
    // 't' then 'tt': a prefix cached for one topic must not serve another
    expect(Buffer.from(topicMessageId('tt', view)).toString('hex')).toBe(Buffer.from(reference('tt', pool.slice(10, 20))).toString('hex'))
    expect(fastMessageId('t', view)).toBe(`t\n${Buffer.from(sha256(pool.slice(10, 20))).toString('base64')}`)
    expect(fastMessageId('t', undefined)).toBe(`t\n${Buffer.from(sha256(new Uint8Array())).toString('base64')}`)
  })
})
