import { describe, expect, it } from 'vitest'
import { eventLevel } from '../src/log-levels.ts'

describe('the level a node logs an event at', () => {
  it('warns about what an operator should look at, and not about copies and late messages that gossip only ignores', () => {
    expect(eventLevel({ type: 'message-rejected', code: 'bad-signature' })).toBe('warn')
    expect(eventLevel({ type: 'message-rejected', code: 'malformed' })).toBe('warn')
    expect(eventLevel({ type: 'message-rejected', code: 'replayed' })).toBe('debug')
    expect(eventLevel({ type: 'message-rejected', code: 'expired' })).toBe('debug')
    expect(eventLevel({ type: 'message-rejected' })).toBe('warn')
    expect(eventLevel({ type: 'negotiation-failed', code: 'timeout' })).toBe('warn')
    expect(eventLevel({ type: 'storage-full' })).toBe('warn')
    // 'expired' is only routine for gossip: elsewhere it is the event's own business
    expect(eventLevel({ type: 'negotiation-failed', code: 'expired' })).toBe('warn')
    expect(eventLevel({ type: 'announcement-received' })).toBe('debug')
    expect(eventLevel({ type: 'trade-committed' })).toBe('info')
  })
  it('logs what failed in the node itself (node-error: a tick, a journal write, a stop) at error, whatever its code', () => {
    for (const code of ['tick-failed', 'journal-write-failed', 'disk-full', 'stop-failed', 'close-failed', undefined])
      expect(eventLevel({ type: 'node-error', code })).toBe('error')
  })
})
