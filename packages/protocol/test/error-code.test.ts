import { describe, expect, it } from 'vitest'
import { KvartalError, errorCode } from '../src/index.ts'

describe('errorCode', () => {
  it("takes a failure's own string code", () => {
    expect(errorCode(new KvartalError('no-capacity', 'sold out'), 'x')).toBe('no-capacity')
    expect(errorCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'x')).toBe('ECONNREFUSED')
  })

  it("names a timed-out signal's abort `timeout`, not its legacy numeric code 23", async () => {
    const signal = AbortSignal.timeout(1)
    await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve()))
    expect((signal.reason as { code: unknown }).code).toBe(23)
    expect(errorCode(signal.reason, 'unreachable')).toBe('timeout')
  })

  it('names an abort `aborted`', () => {
    const c = new AbortController()
    c.abort()
    expect(errorCode(c.signal.reason, 'x')).toBe('aborted')
  })

  it('falls back for anything else: no code, an empty or numeric one, not an error at all', () => {
    expect(errorCode(new Error('plain'), 'unreachable')).toBe('unreachable')
    expect(errorCode(Object.assign(new Error('n'), { code: 7 }), 'f')).toBe('f')
    expect(errorCode(Object.assign(new Error('e'), { code: '' }), 'f')).toBe('f')
    expect(errorCode(undefined, 'f')).toBe('f')
    expect(errorCode('a string', 'f')).toBe('f')
  })
})
