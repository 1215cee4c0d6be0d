import { describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'
import type { KvartalHost } from '../src/index.ts'
import { memoryHosts } from './helpers/memory-hosts.ts'

const PROTOCOL = '/kvartal/test/window/1'
/** yamux's frame type of a window update (the spec's 0x1; the library exports the enum as a type only) */
const WINDOW_UPDATE = 1

const host = memoryHosts()

/** The receiving end: counts the bytes that arrive and the window updates it sends back (noise, yamux, memory). */
async function receiver(h: KvartalHost, expectBytes: number): Promise<{ done: Promise<{ bytes: number[]; updates: number }> }> {
  let resolve!: (r: { bytes: number[]; updates: number }) => void
  const done = new Promise<{ bytes: number[]; updates: number }>(r => {
    resolve = r
  })
  await h.handle(PROTOCOL, (stream: Stream) => {
    const frames = stream as unknown as { sendFrame: (f: { type: number }) => unknown }
    const send = frames.sendFrame
    let updates = 0
    frames.sendFrame = f => {
      if (f.type === WINDOW_UPDATE) updates++
      return send(f)
    }
    const bytes: number[] = []
    stream.addEventListener('message', evt => {
      for (const b of evt.data.subarray()) bytes.push(b)
      if (bytes.length >= expectBytes) resolve({ bytes, updates })
    })
  })
  return { done }
}

describe('yamux window updates (real libp2p hosts: memory transport, noise, yamux)', () => {
  it('a stream of small messages is not answered frame by frame, and 600 KiB still flow through the 256 KiB window', async () => {
    const [a, b] = [await host(1), await host(2)]
    const small = Array.from({ length: 200 }, (_, i) => Uint8Array.from({ length: 300 }, (_, j) => (i + j) % 251))
    const large = Array.from({ length: 3 }, (_, i) => Uint8Array.from({ length: 200 * 1024 }, (_, j) => (i * 7 + j) % 253))
    const total = [...small, ...large].reduce((n, m) => n + m.length, 0)
    const got = await receiver(b, total)
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    for (const m of [...small, ...large]) if (!stream.send(m)) await new Promise(r => stream.addEventListener('drain', r, { once: true }))
    const { bytes, updates } = await got.done
    // every byte, in order
    expect(bytes.length).toBe(total)
    expect(Buffer.from(bytes).equals(Buffer.concat([...small, ...large]))).toBe(true)
    // 200 small frames (60 KB) fit in half the window: no update for them. The library sent one per data frame
    // (200 and more); now one each time half the window has been read: about 600 KiB / 128 KiB
    expect(updates).toBeGreaterThan(0)
    expect(updates).toBeLessThanOrEqual(12)
    await stream.close()
  })
})
